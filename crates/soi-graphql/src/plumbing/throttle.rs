//! Rate limits on the operations a stranger can repeat: signing in (password
//! guessing), public applications and ticket reservations (floods), and
//! the gateway's storing of persisted queries (Redis memory). Counted
//! in Redis across gateway processes; while Redis is down each process
//! counts alone (see `soi_cache::RateLimiter`). Refusals are `RATE_LIMITED`
//! with `extensions.retryAfter` in whole seconds.

use super::error::ErrorCode;
use async_graphql::{Context, ErrorExtensions, Result};
use soi_cache::{Bucket, Limited, Redis, Scope};
use std::time::Duration;

/// Whose attempts a rule counts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// One subject named by the caller (an email address).
    Subject,
    /// One client address.
    Client,
    /// Everyone in the city together.
    City,
}

/// One limit: at most `limit` attempts per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    action: &'static str,
    per: Per,
    limit: u32,
    window: Duration,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Rule {
    /// The same rule with another number of attempts per window (a limit
    /// an operator configures).
    pub const fn with_limit(self, limit: u32) -> Self {
        Self { limit, ..self }
    }
}

/// Sign-in attempts for one email address (whatever the outcome).
pub const LOGIN_PER_EMAIL: Rule = Rule {
    action: "login-email",
    per: Per::Subject,
    limit: 10,
    window: MINUTE,
};
/// Sign-in attempts from one client address, any email.
pub const LOGIN_PER_CLIENT: Rule = Rule {
    action: "login-client",
    per: Per::Client,
    limit: 60,
    window: MINUTE,
};
/// Password reset requests for one address: a few, so nobody floods a
/// person's inbox (the answer is the same whether or not it is known).
pub const RESET_PER_EMAIL: Rule = Rule {
    action: "reset-email",
    per: Per::Subject,
    limit: 3,
    window: Duration::from_secs(900),
};
/// Password reset requests from one client address, any address.
pub const RESET_PER_CLIENT: Rule = Rule {
    action: "reset-client",
    per: Per::Client,
    limit: 20,
    window: Duration::from_secs(600),
};
/// Invitation acceptances from one client address (each costs a password
/// hash; tokens cannot be guessed, but their replays should not be free).
pub const ACCEPT_PER_CLIENT: Rule = Rule {
    action: "accept-client",
    per: Per::Client,
    limit: 30,
    window: Duration::from_secs(600),
};
/// Password changes of one account (the current password is checked: a
/// stolen access token must not guess it at leisure).
pub const CHANGE_PASSWORD_PER_ACCOUNT: Rule = Rule {
    action: "change-password",
    per: Per::Subject,
    limit: 10,
    window: Duration::from_secs(900),
};
/// Applications from one client address to one city (a campus behind one
/// address applies together; a script does not need more).
pub const APPLY_PER_CLIENT: Rule = Rule {
    action: "apply-client",
    per: Per::Client,
    limit: 30,
    window: Duration::from_secs(600),
};
/// Applications to one city from everyone together.
pub const APPLY_PER_CITY: Rule = Rule {
    action: "apply-city",
    per: Per::City,
    limit: 600,
    window: MINUTE,
};
/// Reservations from one client address in one city.
pub const RESERVE_PER_CLIENT: Rule = Rule {
    action: "reserve-client",
    per: Per::Client,
    limit: 60,
    window: MINUTE,
};
/// Reservations in one city from everyone together (a ticket rush is
/// thousands a minute; this stops a flood, not a rush).
pub const RESERVE_PER_CITY: Rule = Rule {
    action: "reserve-city",
    per: Per::City,
    limit: 20_000,
    window: MINUTE,
};

/// New persisted queries stored for one client address (each new hash takes
/// Redis memory; a real client stores a handful). The limit is
/// [`Limits::apq_stores_per_minute`](super::limits::Limits::apq_stores_per_minute).
pub const APQ_STORE_PER_CLIENT: Rule = Rule {
    action: "apq-store-client",
    per: Per::Client,
    limit: 30,
    window: MINUTE,
};

/// Counts one attempt of `subject` under `rule` outside a resolver (the
/// gateway's own steps): in Redis, or in process while Redis is away.
/// `Err` once the limit is passed; always `Ok` when `limits` turn rate
/// limits off.
pub async fn allow(
    redis: &Redis,
    limits: &super::limits::Limits,
    scope: Scope,
    rule: Rule,
    subject: &str,
) -> std::result::Result<(), Limited> {
    if !limits.rate_limits {
        return Ok(());
    }
    let bucket = Bucket::new(scope, rule.action, subject);
    redis
        .limiter()
        .check(&bucket, rule.limit, rule.window)
        .await
}

/// Counts one attempt of `subject` (an email, a client address, a city)
/// under `rule`; `RATE_LIMITED` once the limit is passed. Without Redis
/// configured there is nothing to count with and every attempt passes.
pub async fn check(ctx: &Context<'_>, scope: Scope, rule: Rule, subject: &str) -> Result<()> {
    let limits = ctx
        .data_opt::<super::limits::Limits>()
        .copied()
        .unwrap_or_default();
    let Some(redis) = ctx.data_opt::<Option<Redis>>().and_then(Option::as_ref) else {
        return Ok(());
    };
    match allow(redis, &limits, scope, rule, subject).await {
        Ok(()) => Ok(()),
        Err(limited) => {
            let secs = limited.retry_after.as_millis().div_ceil(1000).max(1);
            let secs = u64::try_from(secs).unwrap_or(u64::MAX);
            Err(ErrorCode::RateLimited
                .error(format!("too many attempts; try again in {secs} s"))
                .extend_with(move |_, x| x.set("retryAfter", secs)))
        }
    }
}

/// Counts one attempt in `city` under a per-client or per-city rule. A
/// per-subject rule needs its subject ([`check`]); counting it city-wide
/// would lock a whole city out for one person's attempts, so it is refused.
pub async fn check_city(ctx: &Context<'_>, city: soi_core::CityId, rule: Rule) -> Result<()> {
    let subject = match rule.per {
        Per::Client => client(ctx),
        Per::City => "city".to_owned(),
        Per::Subject => {
            tracing::error!(
                action = rule.action,
                "a per-subject rate limit was applied per city"
            );
            return Err(ErrorCode::Internal.error("this request could not be checked"));
        }
    };
    check(ctx, Scope::City(city.as_uuid()), rule, &subject).await
}

/// The client's address as a limit subject (`unknown` when the transport
/// did not say).
pub fn client(ctx: &Context<'_>) -> String {
    ctx.data_opt::<super::request::RequestCtx>()
        .and_then(|r| r.client())
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}
