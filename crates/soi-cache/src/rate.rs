//! Fixed-window rate limits shared by all replicas through Redis.
//! Rule: one atomic Lua script counts and sets the expiry, so a window can never lose its
//! TTL; subjects (emails, user ids, IPs) are stored only as SHA-256; while Redis is
//! unavailable the in-process limiter decides, so a Redis outage neither opens nor closes
//! the gate.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::client::Counters;
use crate::keys::segment;
use crate::{Redis, Scope, sha256_hex};

/// INCR, set the window on the first hit, return the count and the time left.
static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
",
    )
});

/// What is being limited for whom, e.g. (city, "login", email); the subject is hashed so
/// no personal data reaches Redis.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bucket {
    name: String,
}

impl Bucket {
    /// Builds `{<scope>}:rl:<action>:<sha256 of subject>`.
    pub fn new(scope: Scope, action: &str, subject: &str) -> Self {
        let name = format!(
            "{}:rl:{}:{}",
            scope.tag(),
            segment(action),
            sha256_hex(subject)
        );
        Self { name }
    }

    /// The bucket name without the deployment prefix, for logs and tests.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// The request is over its limit; becomes HTTP 429 / `RATE_LIMITED` with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limited, retry after {retry_after:?}")]
pub struct Limited {
    /// Time until the current window ends.
    pub retry_after: Duration,
}

/// The rate limiter.
#[derive(Clone)]
pub struct RateLimiter {
    redis: Redis,
}

impl RateLimiter {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// Counts one attempt in `bucket`; allows `limit` attempts per fixed `window`.
    pub async fn check(
        &self,
        bucket: &Bucket,
        limit: u32,
        window: Duration,
    ) -> Result<(), Limited> {
        let window_ms = window.as_millis().clamp(1, u128::from(u64::MAX)) as u64;
        // The window length is part of the name so two limits on one action never share a counter.
        let name = self.redis.full(&format!("{}:{window_ms}", bucket.name));
        let key = name.clone();
        let counted = self
            .redis
            .run(|mut conn| async move {
                SCRIPT
                    .key(key)
                    .arg(window_ms)
                    .invoke_async::<(u64, i64)>(&mut conn)
                    .await
            })
            .await;
        match counted {
            Ok((count, _)) if count <= u64::from(limit) => Ok(()),
            Ok((_, ttl_ms)) => {
                let ttl_ms = u64::try_from(ttl_ms)
                    .unwrap_or(window_ms)
                    .clamp(1, window_ms);
                Err(Limited {
                    retry_after: Duration::from_millis(ttl_ms),
                })
            }
            Err(_) => {
                Counters::bump(&self.redis.inner.counters.rate_limit_fallbacks);
                let window = Duration::from_millis(window_ms);
                self.redis
                    .inner
                    .local
                    .check(&name, limit, window, Instant::now())
                    .map_err(|retry_after| Limited {
                        retry_after: retry_after.max(Duration::from_millis(1)),
                    })
            }
        }
    }
}
