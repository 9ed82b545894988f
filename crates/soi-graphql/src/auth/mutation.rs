//! Sign-in: `login`, `refreshToken` (rotating), `logout`, and a user's own
//! email language. Passwords are checked with argon2id off the async
//! runtime; an unknown email costs the same as a wrong password.

use super::nodes::AuthPayload;
use crate::plumbing::error::ErrorCode;
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::national;
use crate::plumbing::throttle;
use crate::shared::lang::Lang;
use crate::shared::roles::ANY_ROLE;
use async_graphql::{Context, Error, Object, Result};
use chrono::{Duration, Utc};
use soi_auth::TokenKeys;
use soi_core::Principal;
use soi_db::auth::accounts;
use soi_db::auth::refresh_tokens::{self, RefreshUse};

/// Settings of sign-in, in the schema data.
#[derive(Clone)]
pub struct AuthSettings {
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
}

fn unauthenticated() -> Error {
    ErrorCode::Unauthenticated.error("wrong email or password")
}

/// A new token pair for `p` in the sign-in `family`.
async fn issue(
    ctx: &Context<'_>,
    settings: &AuthSettings,
    p: &Principal,
    family: uuid::Uuid,
) -> Result<AuthPayload> {
    let now = Utc::now();
    let access = settings
        .keys
        .issue(p, u64::try_from(now.timestamp()).unwrap_or_default())
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

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in with email and password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let settings = ctx.data::<AuthSettings>()?;
        if email.len() > 254 || password.len() > 1024 {
            return Err(unauthenticated());
        }
        // Counted before the password is checked, so guessing costs attempts
        // whatever the answer; the email is hashed in the counter's key.
        let who = email.trim().to_lowercase();
        let national_scope = soi_cache::Scope::National;
        throttle::check(ctx, national_scope, throttle::LOGIN_PER_EMAIL, &who).await?;
        let client = throttle::client(ctx);
        throttle::check(ctx, national_scope, throttle::LOGIN_PER_CLIENT, &client).await?;
        let account = national(ctx, async |tx| accounts::by_email(tx, email.trim()).await).await?;
        let hash = account.as_ref().map_or_else(
            || soi_auth::decoy_hash().to_owned(),
            |a| a.password_hash.clone(),
        );
        let matches =
            tokio::task::spawn_blocking(move || soi_auth::verify_password(&password, &hash))
                .await
                .map_err(|_| ErrorCode::Internal.error("sign-in failed"))?;
        let principal = match account {
            Some(a) if matches && !a.disabled => a.principal().ok_or_else(unauthenticated)?,
            _ => return Err(unauthenticated()),
        };
        issue(ctx, settings, &principal, uuid::Uuid::now_v7()).await
    }

    /// Trades a refresh token for a new pair. Each refresh token works once;
    /// presenting a used one signs out every session of that sign-in.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let settings = ctx.data::<AuthSettings>()?;
        let hash = soi_auth::refresh_hash(&refresh_token);
        // Committed also when the token was reused: the family stays revoked.
        let (used, account) = national(ctx, async |tx| {
            let used = refresh_tokens::use_refresh(tx, &hash).await?;
            let account = match used {
                RefreshUse::Fresh { account, .. } => Some(accounts::get(tx, account).await?),
                _ => None,
            };
            Ok((used, account))
        })
        .await?;
        match (used, account) {
            (RefreshUse::Fresh { family, .. }, Some(a)) if !a.disabled => {
                let p = a.principal().ok_or_else(unauthenticated)?;
                issue(ctx, settings, &p, family).await
            }
            _ => Err(ErrorCode::Unauthenticated.error("the refresh token is not valid")),
        }
    }

    /// Sets the language of the emails you receive as staff (a chapter
    /// admin's certificate notices); any signed-in user.
    async fn set_my_language(&self, ctx: &Context<'_>, language: Lang) -> Result<bool> {
        let p = *ctx.data::<RequestCtx>()?.require(ANY_ROLE)?;
        national(ctx, async |tx| {
            accounts::set_language(tx, p.account(), language.into()).await?;
            Ok(true)
        })
        .await
    }

    /// Signs out the sign-in this refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        let hash = soi_auth::refresh_hash(&refresh_token);
        national(ctx, async |tx| refresh_tokens::revoke(tx, &hash).await).await
    }
}
