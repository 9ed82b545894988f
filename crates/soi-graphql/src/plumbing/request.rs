//! The per-request context the gateway puts into the GraphQL request data:
//! who asks (from a verified token only) and the request id.

use super::error::ErrorCode;
use async_graphql::Error;
use soi_core::{CityScope, Principal, Role};

/// Puts the context, the request's shared snapshot (see [`super::snapshot`])
/// and, for a signed-in city user, its DataLoaders into a GraphQL request.
pub fn prepare(
    request: async_graphql::Request,
    ctx: RequestCtx,
    db: &soi_db::Db,
) -> async_graphql::Request {
    let scope = ctx.principal().and_then(Principal::city_scope);
    let snapshot = super::snapshot::Snapshot::new(db);
    let request_id = ctx.request_id().to_owned();
    let request = request.data(ctx).data(snapshot.clone());
    match scope {
        Some(scope) => request.data(super::loaders::for_request(scope, snapshot, request_id)),
        None => request,
    }
}

#[derive(Debug, Clone)]
pub struct RequestCtx {
    principal: Option<Principal>,
    request_id: String,
    client: Option<std::net::IpAddr>,
}

impl RequestCtx {
    pub fn anonymous(request_id: impl Into<String>) -> Self {
        Self {
            principal: None,
            request_id: request_id.into(),
            client: None,
        }
    }

    /// For a request whose bearer token was verified.
    pub fn signed_in(principal: Principal, request_id: impl Into<String>) -> Self {
        Self {
            principal: Some(principal),
            request_id: request_id.into(),
            client: None,
        }
    }

    /// The address the request came from (for rate limits only; never logged
    /// with a person's data).
    pub fn with_client(mut self, client: Option<std::net::IpAddr>) -> Self {
        self.client = client;
        self
    }

    pub fn client(&self) -> Option<std::net::IpAddr> {
        self.client
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// The signed-in user if their role is one of `roles`: `UNAUTHENTICATED`
    /// when nobody signed in, `FORBIDDEN` for another role.
    pub fn require(&self, roles: &[Role]) -> Result<&Principal, Error> {
        let p = self
            .principal
            .as_ref()
            .ok_or_else(|| ErrorCode::Unauthenticated.error("sign in first"))?;
        if roles.contains(&p.role()) {
            Ok(p)
        } else {
            Err(ErrorCode::Forbidden.error("your role may not do this"))
        }
    }

    /// The city scope of a signed-in city user of one of `roles`; the city
    /// comes from the token, never from input.
    pub fn city_scope(&self, roles: &[Role]) -> Result<(CityScope, &Principal), Error> {
        let p = self.require(roles)?;
        let scope = p
            .city_scope()
            .ok_or_else(|| ErrorCode::Forbidden.error("the national role reads aggregates only"))?;
        Ok((scope, p))
    }
}
