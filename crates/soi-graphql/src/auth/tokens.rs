//! Issuing a token pair: an access token at the account's session version
//! and a rotating refresh token stored (as its hash) through the narrow path.

use super::nodes::AuthPayload;
use crate::plumbing::error::ErrorCode;
use crate::plumbing::run::national;
use async_graphql::{Context, Error, Result};
use chrono::{Duration, Utc};
use soi_auth::TokenKeys;
use soi_core::Principal;
use soi_db::auth::refresh_tokens;

/// Settings of sign-in and of the emailed links, in the schema data.
#[derive(Clone)]
pub struct AuthSettings {
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
    /// Where invitation and reset links point, how long they work, and the
    /// key that seals them in the outbox.
    pub links: soi_service::auth::Links,
}

pub fn unauthenticated() -> Error {
    ErrorCode::Unauthenticated.error("wrong email or password")
}

/// A new token pair for `p` at session `version`, in the sign-in `family`.
pub async fn issue(
    ctx: &Context<'_>,
    p: &Principal,
    version: i32,
    family: uuid::Uuid,
) -> Result<AuthPayload> {
    let settings = ctx.data::<AuthSettings>()?;
    let now = Utc::now();
    let access = settings
        .keys
        .issue_session(
            p,
            version,
            u64::try_from(now.timestamp()).unwrap_or_default(),
        )
        .map_err(|_| ErrorCode::Internal.error("cannot issue a token"))?;
    let (refresh, hash) = soi_auth::new_refresh_token()
        .map_err(|_| ErrorCode::Internal.error("cannot issue a token"))?;
    let expires = now + settings.refresh_ttl;
    national(ctx, async |tx| {
        refresh_tokens::store_refresh(tx, p.account(), family, &hash, expires).await
    })
    .await?;
    Ok(AuthPayload {
        access_token: access,
        expires_in: i64::try_from(settings.keys.ttl_secs).unwrap_or(i64::MAX),
        refresh_token: refresh,
        role: p.role().into(),
    })
}

/// A new password as the policy sees it: `BAD_USER_INPUT` on `field` with
/// the reason, for the person to choose another.
pub fn check_policy(password: &str, email: &str, field: &str) -> Result<()> {
    soi_auth::check_password(password, email)
        .map_err(|p| crate::plumbing::args::bad_input(field, p.to_string()))
}

/// An argon2id hash off the async runtime.
pub async fn hash(ctx: &Context<'_>, password: String) -> Result<String> {
    let req = ctx.data::<crate::plumbing::request::RequestCtx>()?;
    soi_service::auth::passwords::hash_off_runtime(password)
        .await
        .map_err(|e| crate::plumbing::error::db_error(e, req.request_id()))
}
