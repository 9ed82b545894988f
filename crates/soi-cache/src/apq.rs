//! Apollo automatic persisted queries: clients send the SHA-256 of a query instead of its
//! text. Rule: a query is stored only under its own hash (checked here), under
//! `<prefix>:{apq}:<hash>` with a TTL, and never larger than [`MAX_QUERY_BYTES`], so a client
//! can neither poison another's hash nor fill Redis with huge documents.

use std::time::Duration;

use crate::{Redis, Unavailable, sha256_hex};

/// How long a persisted query stays after its last registration.
const TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Largest query text accepted; real documents are a few kilobytes.
const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Why a query could not be persisted; each becomes the Apollo error the client expects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApqError {
    /// The hash is not 64 lowercase hex digits (`400 Bad Request`, `BAD_USER_INPUT`).
    #[error("persisted query hash must be 64 lowercase hex digits")]
    BadHash,
    /// The query does not hash to the given hash (`400`, `PERSISTED_QUERY_HASH_MISMATCH`).
    #[error("provided sha does not match query")]
    HashMismatch,
    /// The query is larger than the store accepts (`413`, `BAD_USER_INPUT`).
    #[error("persisted query too large")]
    TooLarge,
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
        if !is_sha256_hex(hash_hex) {
            return Err(ApqError::BadHash);
        }
        if query.len() > MAX_QUERY_BYTES {
            return Err(ApqError::TooLarge);
        }
        if sha256_hex(query) != hash_hex {
            return Err(ApqError::HashMismatch);
        }
        let name = self.name(hash_hex);
        let query = query.to_owned();
        self.redis
            .run(|mut conn| async move {
                redis::cmd("SET")
                    .arg(name)
                    .arg(query)
                    .arg("EX")
                    .arg(TTL.as_secs())
                    .exec_async(&mut conn)
                    .await
            })
            .await?;
        Ok(())
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
