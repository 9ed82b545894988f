//! Apollo automatic persisted queries: clients send the SHA-256 of a query instead of its
//! text. Rule: a query is stored only under its own hash (checked here), under
//! `<prefix>:{apq}:<hash>` with a TTL, never larger than [`ApqOptions::max_query_bytes`], and
//! while the store holds fewer than [`ApqOptions::max_entries`] distinct hashes (an index of
//! the stored hashes, pruned by age, counts them), so a client can neither poison another's
//! hash nor fill Redis. What may be stored at all (a query that passed the request limits,
//! within a client's rate) the gateway decides before calling [`PersistedQueries::put`].

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Redis, Unavailable, sha256_hex};

/// Bounds of the store; [`Default`] suits production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApqOptions {
    /// How long a persisted query stays after its last registration (`SOI_APQ_TTL_SECS`).
    pub ttl: Duration,
    /// Largest query text kept (`SOI_APQ_MAX_QUERY_BYTES`); real documents are a few
    /// kilobytes, larger ones run without being stored.
    pub max_query_bytes: usize,
    /// Most distinct hashes kept at once (`SOI_APQ_MAX_ENTRIES`); past it new hashes run
    /// without being stored until old ones expire.
    pub max_entries: u32,
}

impl Default for ApqOptions {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(24 * 60 * 60),
            max_query_bytes: 16 * 1024,
            max_entries: 5_000,
        }
    }
}

/// Prunes the index of hashes older than the TTL, refuses a new hash when the index is
/// full, else stores the query and indexes its hash; one script, so two gateways storing
/// at once cannot both take the last place. Returns 1 when stored, 0 when full.
static PUT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl)
if not redis.call('ZSCORE', KEYS[2], ARGV[4]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[2], now, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1
",
    )
});

/// Why a query could not be persisted; each becomes the Apollo error the client expects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApqError {
    /// The hash is not 64 lowercase hex digits (`400 Bad Request`, `BAD_USER_INPUT`).
    #[error("persisted query hash must be 64 lowercase hex digits")]
    BadHash,
    /// The query does not hash to the given hash (`400`, `PERSISTED_QUERY_HASH_MISMATCH`).
    #[error("provided sha does not match query")]
    HashMismatch,
    /// The query is larger than the store accepts; the gateway runs it unstored.
    #[error("persisted query too large")]
    TooLarge,
    /// The store holds its maximum of distinct hashes; the gateway runs the query unstored.
    #[error("persisted query store full")]
    Full,
    /// Redis is unavailable; the gateway executes the query without persisting it.
    #[error("persisted query store unavailable")]
    Unavailable(#[from] Unavailable),
}

/// The persisted-query store.
#[derive(Clone)]
pub struct PersistedQueries {
    redis: Redis,
}

impl PersistedQueries {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// The query stored under `hash_hex`. `Ok(None)` for an unknown (or malformed) hash, which
    /// the gateway answers with `PERSISTED_QUERY_NOT_FOUND` so the client resends the text.
    pub async fn get(&self, hash_hex: &str) -> Result<Option<String>, Unavailable> {
        if !is_sha256_hex(hash_hex) {
            return Ok(None);
        }
        let name = self.name(hash_hex);
        self.redis
            .run(|mut conn| async move {
                redis::cmd("GET")
                    .arg(name)
                    .query_async::<Option<String>>(&mut conn)
                    .await
            })
            .await
    }

    /// Stores `query` under `hash_hex` after checking the hash is well formed and is the
    /// SHA-256 of the query.
    pub async fn put(&self, hash_hex: &str, query: &str) -> Result<(), ApqError> {
        self.check(hash_hex, query)?;
        let opts = self.redis.inner.opts.apq;
        let ttl_ms = opts.ttl.as_millis().clamp(1, u128::from(u64::MAX)) as u64;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        let name = self.name(hash_hex);
        let index = self.redis.full("{apq}:index");
        let (query, hash) = (query.to_owned(), hash_hex.to_owned());
        let stored = self
            .redis
            .run(|mut conn| async move {
                PUT.key(name)
                    .key(index)
                    .arg(query)
                    .arg(ttl_ms)
                    .arg(now_ms)
                    .arg(hash)
                    .arg(opts.max_entries)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await?;
        if stored == 1 {
            Ok(())
        } else {
            Err(ApqError::Full)
        }
    }

    /// The checks [`Self::put`] makes before touching Redis: a well-formed hash, a query
    /// within the size bound, and the hash of that query. The gateway calls it first, so
    /// a wrong hash is refused before the query runs.
    pub fn check(&self, hash_hex: &str, query: &str) -> Result<(), ApqError> {
        if !is_sha256_hex(hash_hex) {
            return Err(ApqError::BadHash);
        }
        if query.len() > self.redis.inner.opts.apq.max_query_bytes {
            return Err(ApqError::TooLarge);
        }
        if sha256_hex(query) != hash_hex {
            return Err(ApqError::HashMismatch);
        }
        Ok(())
    }

    /// How many distinct hashes the store holds (pruned on the next store).
    pub async fn count(&self) -> Result<u64, Unavailable> {
        let index = self.redis.full("{apq}:index");
        self.redis
            .run(|mut conn| async move {
                redis::cmd("ZCARD")
                    .arg(index)
                    .query_async::<u64>(&mut conn)
                    .await
            })
            .await
    }

    fn name(&self, hash_hex: &str) -> String {
        self.redis.full(&format!("{{apq}}:{hash_hex}"))
    }
}

/// Exactly 64 lowercase hex digits, as `sha256_hex` writes them.
fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_format_is_strict() {
        assert!(is_sha256_hex(&sha256_hex("{ me { id } }")));
        assert!(!is_sha256_hex(&sha256_hex("x").to_uppercase()));
        assert!(!is_sha256_hex("abc"));
        assert!(!is_sha256_hex(&format!("{}g", &sha256_hex("x")[..63])));
    }
}
