//! JSON response cache with read-your-writes invalidation.
//!
//! Rule: cached entries are never deleted one by one; each scope has a generation counter
//! (`<prefix>:{city:<id>}:gen`) that callers put into their keys through
//! [`Cache::scoped_key`]. A write commits to PostgreSQL, *then* calls [`Cache::invalidate`],
//! which bumps the generation; every entry built on the old generation becomes unreachable
//! and expires by its TTL. Invalidating a city also bumps the national generation, because
//! national aggregates include every city.

use std::sync::PoisonError;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Counters;
use crate::{Key, Redis, Scope, Unavailable};

/// Reads and writes cached JSON; every failure reads as a miss so callers use PostgreSQL.
#[derive(Clone)]
pub struct Cache {
    redis: Redis,
}

impl Cache {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// The stored bytes; `None` when absent or on any Redis trouble. Counts nothing.
    async fn fetch(&self, key: &Key) -> Option<Vec<u8>> {
        let name = self.redis.full(key.as_str());
        self.redis
            .run(|mut conn| async move {
                redis::cmd("GET")
                    .arg(name)
                    .query_async::<Option<Vec<u8>>>(&mut conn)
                    .await
            })
            .await
            .ok()
            .flatten()
    }

    /// Counts a read as a hit or a miss.
    fn tally(&self, hit: bool) {
        let counters = &self.redis.inner.counters;
        Counters::bump(if hit {
            &counters.hits
        } else {
            &counters.misses
        });
    }

    /// The cached value, or `None` on a miss, a value that no longer decodes, or any Redis
    /// trouble; counts a hit, a miss or an error.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &Key) -> Option<T> {
        let found = self.fetch(key).await;
        self.decode(key, found)
    }

    /// The value of what was found, counted as a hit; a miss when nothing
    /// was, or (counted as an error) when a type changed shape since the
    /// entry was written.
    fn decode<T: DeserializeOwned>(&self, key: &Key, found: Option<Vec<u8>>) -> Option<T> {
        let Some(bytes) = found else {
            self.tally(false);
            return None;
        };
        match serde_json::from_slice(&bytes) {
            Ok(value) => {
                self.tally(true);
                Some(value)
            }
            Err(err) => {
                Counters::bump(&self.redis.inner.counters.errors);
                tracing::warn!(key = key.as_str(), error = %err, "cached value does not decode");
                None
            }
        }
    }

    /// Stores `value` for `ttl`; failures are counted and swallowed (the next read misses).
    pub async fn put_json<T: Serialize>(&self, key: &Key, value: &T, ttl: Duration) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.put_bytes(key, bytes, ttl).await,
            Err(err) => {
                Counters::bump(&self.redis.inner.counters.errors);
                tracing::warn!(key = key.as_str(), error = %err, "value does not encode");
            }
        }
    }

    /// Stores `bytes` for `ttl`; failures are swallowed (the next read misses).
    async fn put_bytes(&self, key: &Key, bytes: Vec<u8>, ttl: Duration) {
        let name = self.redis.full(key.as_str());
        let ttl_ms = ttl.as_millis().clamp(1, u128::from(u64::MAX)) as u64;
        let _ = self
            .redis
            .run(|mut conn| async move {
                redis::cmd("SET")
                    .arg(name)
                    .arg(bytes)
                    .arg("PX")
                    .arg(ttl_ms)
                    .exec_async(&mut conn)
                    .await
            })
            .await;
    }

    /// Looks `key` up while `version` is read, so the two round trips
    /// overlap; answers the version and the bytes stored at exactly that
    /// version (see [`Cache::put_at`]). An entry of another version reads as
    /// a miss. Counts a hit or a miss; a failed version read is returned as is.
    pub async fn get_at<E>(
        &self,
        key: &Key,
        version: impl std::future::Future<Output = Result<i64, E>>,
    ) -> Result<(i64, Option<Vec<u8>>), E> {
        let (version, found) = self.fetch_at(key, version).await?;
        self.tally(found.is_some());
        Ok((version, found))
    }

    /// [`Cache::get_at`] decoded from JSON; a value that no longer decodes
    /// is a miss (counted as an error, as by [`Cache::get_json`]).
    pub async fn get_json_at<T: DeserializeOwned, E>(
        &self,
        key: &Key,
        version: impl std::future::Future<Output = Result<i64, E>>,
    ) -> Result<(i64, Option<T>), E> {
        let (version, found) = self.fetch_at(key, version).await?;
        Ok((version, self.decode(key, found)))
    }

    /// [`Cache::get_at`] without counting.
    async fn fetch_at<E>(
        &self,
        key: &Key,
        version: impl std::future::Future<Output = Result<i64, E>>,
    ) -> Result<(i64, Option<Vec<u8>>), E> {
        let (version, stored) = tokio::join!(version, self.fetch(key));
        let version = version?;
        let found = stored.and_then(|mut bytes| {
            let tag = bytes.get(..8)?.try_into().ok().map(i64::from_be_bytes)?;
            // The tag off in place: answers run to a few hundred kB.
            (tag == version).then(|| {
                bytes.drain(..8);
                bytes
            })
        });
        Ok((version, found))
    }

    /// Stores `bytes` tagged with the version of the data they were made
    /// from. The caller reads the version *before* the data, so what is
    /// stored is at least that new and [`Cache::get_at`] never answers stale.
    /// One key per question: a newer version overwrites the older entry.
    pub async fn put_at(&self, key: &Key, version: i64, bytes: &[u8], ttl: Duration) {
        let mut tagged = Vec::with_capacity(8 + bytes.len());
        tagged.extend_from_slice(&version.to_be_bytes());
        tagged.extend_from_slice(bytes);
        self.put_bytes(key, tagged, ttl).await;
    }

    /// [`Cache::put_at`] of a value encoded as JSON.
    pub async fn put_json_at<T: Serialize>(
        &self,
        key: &Key,
        version: i64,
        value: &T,
        ttl: Duration,
    ) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.put_at(key, version, &bytes, ttl).await,
            Err(err) => {
                Counters::bump(&self.redis.inner.counters.errors);
                tracing::warn!(key = key.as_str(), error = %err, "value does not encode");
            }
        }
    }

    /// Makes every cached entry of `scope` unreachable by bumping its generation (and, for a
    /// city, the national one). Call it after the write has committed. If Redis cannot be
    /// reached the scope is remembered: this process bypasses its cache until the bump succeeds.
    pub async fn invalidate(&self, scope: Scope) -> Result<(), Unavailable> {
        let result = self.bump(scope).await;
        if result.is_err() {
            self.pending().insert(scope);
        }
        result
    }

    /// The current generation of `scope` (0 before the first invalidation), or `None` when
    /// Redis is unavailable.
    pub async fn generation(&self, scope: Scope) -> Option<u64> {
        let name = self.gen_key(scope);
        self.redis
            .run(|mut conn| async move {
                redis::cmd("GET")
                    .arg(name)
                    .query_async::<Option<u64>>(&mut conn)
                    .await
            })
            .await
            .ok()
            .map(Option::unwrap_or_default)
    }

    /// A key whose first part is the scope's current generation, so entries written before
    /// the last [`Cache::invalidate`] are never read. `None` when Redis is unavailable or an
    /// invalidation of this scope is still pending: the caller then reads PostgreSQL.
    pub async fn scoped_key(
        &self,
        scope: Scope,
        kind: &str,
        role: &str,
        parts: &[&str],
    ) -> Option<Key> {
        if self.is_pending(scope) {
            self.flush_pending_invalidations().await;
            if self.is_pending(scope) {
                return None;
            }
        }
        let generation = self.generation(scope).await?.to_string();
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push(generation.as_str());
        all.extend_from_slice(parts);
        Some(Key::new(scope, kind, role, &all))
    }

    /// Retries invalidations that failed while Redis was down.
    pub(crate) async fn flush_pending_invalidations(&self) {
        let scopes: Vec<Scope> = self.pending().iter().copied().collect();
        for scope in scopes {
            if self.bump(scope).await.is_err() {
                return;
            }
            self.pending().remove(&scope);
        }
    }

    async fn bump(&self, scope: Scope) -> Result<(), Unavailable> {
        let mut pipe = redis::pipe();
        pipe.cmd("INCR").arg(self.gen_key(scope)).ignore();
        if scope != Scope::National {
            // Not MULTI: the two keys live in different cluster slots. If only the first
            // INCR lands, the error below keeps the scope pending and it is bumped again.
            pipe.cmd("INCR").arg(self.gen_key(Scope::National)).ignore();
        }
        self.redis
            .run(|mut conn| async move { pipe.exec_async(&mut conn).await })
            .await
    }

    fn gen_key(&self, scope: Scope) -> String {
        self.redis.full(&format!("{}:gen", scope.tag()))
    }

    /// A pending city invalidation also stales the national level.
    fn is_pending(&self, scope: Scope) -> bool {
        let pending = self.pending();
        match scope {
            Scope::National => !pending.is_empty(),
            city => pending.contains(&city),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<Scope>> {
        self.redis
            .inner
            .pending_invalidations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
