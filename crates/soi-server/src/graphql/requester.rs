//! Who asks and from where: the requester's context and client address.

use crate::AppState;
use crate::auth::{Refused, authenticate};
use axum::http::HeaderMap;
use soi_graphql::RequestCtx;
use std::net::{IpAddr, SocketAddr};

/// The client's address for rate limits: the TCP peer, or — when the peer
/// is a proxy on this host (loopback) — the last address it appended to
/// `X-Forwarded-For`. A remote peer cannot choose its address this way.
pub(crate) fn client_address(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if !peer.ip().is_loopback() {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer.ip())
}

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
