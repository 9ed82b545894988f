//! Sign-in: `login`, `refreshToken` (rotating), `logout`, `changePassword`
//! and a user's own email language. Accounts are reached through the
//! database's narrow path; passwords are checked with argon2id off the async
//! runtime, and an unknown email costs the same as a wrong password. Every
//! attempt is audited.

use super::nodes::AuthPayload;
use super::tokens::{issue, unauthenticated};
use crate::plumbing::args::bad_input;
use crate::plumbing::error::{ErrorCode, db_error};
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::national;
use crate::plumbing::throttle;
use crate::shared::lang::Lang;
use crate::shared::roles::ANY_ROLE;
use async_graphql::{Context, Object, Result};
use soi_db::Db;
use soi_db::auth::accounts;
use soi_db::auth::refresh_tokens::{self, RefreshUse};
use soi_service::auth::change_password::{self, Refused};
use soi_service::auth::sign_in;

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
        let account = national(ctx, async |tx| {
            accounts::sign_in_lookup(tx, email.trim()).await
        })
        .await?;
        let hash = account.as_ref().map_or_else(
            || soi_auth::decoy_hash().to_owned(),
            |a| a.password_hash.clone(),
        );
        let matches =
            tokio::task::spawn_blocking(move || soi_auth::verify_password(&password, &hash))
                .await
                .map_err(|_| ErrorCode::Internal.error("sign-in failed"))?;
        let db = ctx.data::<Db>()?;
        let req = ctx.data::<RequestCtx>()?;
        let rid = Some(req.request_id());
        let signed_in = match &account {
            Some(a) if matches && !a.account.disabled => {
                a.account.principal().map(|p| (p, a.account.auth_version))
            }
            _ => None,
        };
        let Some((principal, version)) = signed_in else {
            let known = account.map(|a| {
                let a = a.account;
                (a.id, a.home_city_id.map(soi_core::CityId::from))
            });
            sign_in::failed(db, known, rid)
                .await
                .map_err(|e| db_error(e, req.request_id()))?;
            return Err(unauthenticated());
        };
        sign_in::succeeded(db, &principal, rid)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        issue(ctx, &principal, version, uuid::Uuid::now_v7()).await
    }

    /// Trades a refresh token for a new pair. Each refresh token works once;
    /// presenting a used one signs out every session of that sign-in.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
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
                issue(ctx, &p, a.auth_version, family).await
            }
            _ => Err(ErrorCode::Unauthenticated.error("the refresh token is not valid")),
        }
    }

    /// Changes your password. Every other session of your account ends; the
    /// answer is a new token pair for this one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Your password now.")] current_password: String,
        #[graphql(desc = "10+ characters, not a common one.")] new_password: String,
    ) -> Result<AuthPayload> {
        let req = ctx.data::<RequestCtx>()?;
        let p = *req.require(ANY_ROLE)?;
        let me = p.account().to_string();
        let national_scope = soi_cache::Scope::National;
        throttle::check(
            ctx,
            national_scope,
            throttle::CHANGE_PASSWORD_PER_ACCOUNT,
            &me,
        )
        .await?;
        let db = ctx.data::<Db>()?;
        let rid = req.request_id();
        let changed = change_password::change(db, &p, current_password, new_password, Some(rid))
            .await
            .map_err(|e| db_error(e, rid))?;
        let version = match changed {
            Ok(version) => version,
            Err(Refused::Gone) => return Err(unauthenticated()),
            Err(Refused::WrongCurrent) => return Err(wrong_current()),
            Err(Refused::Policy(problem)) => {
                return Err(bad_input("newPassword", problem.to_string()));
            }
            Err(Refused::Moved) => {
                return Err(ErrorCode::Conflict.error(
                    "your account changed while the password was being changed \
                     (a reset, or an admin's change): sign in again",
                ));
            }
        };
        issue(ctx, &p, version, uuid::Uuid::now_v7()).await
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

fn wrong_current() -> async_graphql::Error {
    bad_input("currentPassword", "the current password is wrong")
}
