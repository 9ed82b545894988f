//! Forgotten passwords (public): asking for a reset link and using it. The
//! request's answer is the same whether or not the address has an account,
//! and comes before any lookup is done (the lookup and the email run after
//! the answer), so neither its content nor its timing tells.

use super::tokens::AuthSettings;
use crate::plumbing::args::bad_input;
use crate::plumbing::error::db_error;
use crate::plumbing::request::RequestCtx;
use crate::plumbing::throttle;
use async_graphql::{Context, ErrorExtensions, Object, Result};
use soi_db::Db;
use soi_service::auth::passwords::{self, Refused};

#[derive(Default)]
pub struct PasswordMutation;

#[Object]
impl PasswordMutation {
    /// Emails a single-use link to choose a new password, if an account has
    /// this address. Always answers `true`; limited per address and per
    /// client.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's email address.")] email: String,
    ) -> Result<bool> {
        let who = email.trim().to_lowercase();
        if who.len() > 254 {
            return Ok(true);
        }
        let national = soi_cache::Scope::National;
        throttle::check(ctx, national, throttle::RESET_PER_EMAIL, &who).await?;
        let client = throttle::client(ctx);
        throttle::check(ctx, national, throttle::RESET_PER_CLIENT, &client).await?;
        let db = ctx.data::<Db>()?.clone();
        let links = ctx.data::<AuthSettings>()?.links.clone();
        let request_id = ctx.data::<RequestCtx>()?.request_id().to_owned();
        // After the answer: the work (and its time) differs by whether the
        // address is known. Its failure is logged, never told.
        tokio::spawn(async move {
            if let Err(e) = passwords::request(&db, &links, &who, Some(&request_id)).await {
                tracing::error!(request_id, error = %e, "password reset request failed");
            }
        });
        Ok(true)
    }

    /// Sets a new password with the token from a reset email. Every session
    /// of the account ends. A bad token is `BAD_USER_INPUT` on `token`; a
    /// password the policy refuses, on `newPassword` with the reason.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token from the reset link.")] token: String,
        #[graphql(desc = "10+ characters, not a common one.")] new_password: String,
    ) -> Result<bool> {
        let req = ctx.data::<RequestCtx>()?;
        if token.len() > 200 {
            return Err(invalid_token());
        }
        let db = ctx.data::<Db>()?;
        let done = passwords::reset(db, token.trim(), new_password, Some(req.request_id()))
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        match done {
            Ok(()) => Ok(true),
            Err(Refused::Token) => Err(invalid_token()),
            Err(Refused::Policy(p)) => Err(bad_input("newPassword", p.to_string())),
        }
    }
}

fn invalid_token() -> async_graphql::Error {
    bad_input(
        "token",
        "this reset link is not valid, used or expired; ask for a new one",
    )
    .extend_with(|_, x| x.set("reason", "INVALID"))
}
