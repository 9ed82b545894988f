//! Who asks and from where: the requester's context and client address.

use crate::AppState;
use crate::auth::{Refused, authenticate};
use axum::http::HeaderMap;
use soi_graphql::RequestCtx;
use std::net::IpAddr;

/// Who asks: anonymous without an `Authorization` header; otherwise the
/// bearer token must verify and its session hold ([`crate::auth`]).
pub(crate) async fn request_ctx(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<IpAddr>,
) -> Result<RequestCtx, Refused> {
    let id = crate::request_id::of(headers);
    let ctx = match authenticate(state, headers).await? {
        Some(session) => RequestCtx::signed_in(session.principal, id),
        None => RequestCtx::anonymous(id),
    };
    Ok(ctx.with_client(client))
}
