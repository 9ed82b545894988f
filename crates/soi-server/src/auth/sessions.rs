//! Revocation that takes effect now. An access token lives for minutes, but
//! a disabled account, another role or a new password must end its sessions
//! within seconds. Each token carries the account's session version (`ver`);
//! [`SessionCheck`] compares it with the version PostgreSQL holds, which the
//! accounts trigger bumps on every such change (and sets to none when the
//! account is disabled or deleted).
//!
//! The check is per process and needs no Redis. The version of each account
//! is kept for `every` (2 s by default): a busy account costs one read per
//! interval, not one per request, because concurrent requests wait for the
//! same read; a change is seen by every gateway within the interval. The
//! cache is bounded: at `capacity` accounts it drops stale entries, and when
//! all are fresh it drops everything (the only cost is reading again). Only
//! tokens that verified reach it, so nobody without our key can fill it.
//! When PostgreSQL cannot answer, the request is refused, never let through.

use soi_auth::Session;
use soi_db::Db;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// How long a version read from PostgreSQL is trusted, by default.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

/// Accounts whose version is remembered at most (about 100 bytes each).
const CAPACITY: usize = 50_000;

/// Why a session that verified may not go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The account is disabled or gone, or its version moved on (another
    /// role, password, coach or city): `UNAUTHENTICATED`, like a bad token.
    Revoked,
    /// PostgreSQL did not answer: `INTERNAL` (503), refused for now.
    Unchecked,
}

/// The current version of an account: `None` when it is disabled or gone.
type Current = Option<i32>;

/// Checks sessions against their account's current version; cheap to clone
/// (the clones share one cache).
#[derive(Clone)]
pub struct SessionCheck {
    db: Db,
    every: Duration,
    versions: Arc<Mutex<Versions>>,
    reads: Arc<AtomicU64>,
}

impl SessionCheck {
    /// Trusts a version read for `every`.
    pub fn new(db: Db, every: Duration) -> Self {
        Self {
            db,
            every,
            versions: Arc::new(Mutex::new(Versions::new(every, CAPACITY))),
            reads: Arc::default(),
        }
    }

    /// How long a change may take to end a session.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Versions read from PostgreSQL so far (a counter, for `/metrics`).
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Whether the session still holds.
    pub async fn check(&self, session: &Session) -> Result<(), Ended> {
        let account = session.principal.account();
        match self.current(account, false).await? {
            Some(v) if v == session.version => return Ok(()),
            // Versions only grow: an older token is revoked for good.
            Some(v) if v > session.version => return Err(Ended::Revoked),
            // Disabled, or older than the token: the cache may predate the
            // change that issued this token (a new password, re-enabling),
            // so read once more rather than refuse a fresh sign-in.
            _ => {}
        }
        match self.current(account, true).await? {
            Some(v) if v == session.version => Ok(()),
            _ => Err(Ended::Revoked),
        }
    }

    async fn current(&self, account: Uuid, fresh: bool) -> Result<Current, Ended> {
        let cell = self.lock().slot(account, Instant::now(), fresh);
        cell.get_or_try_init(|| async {
            self.reads.fetch_add(1, Ordering::Relaxed);
            soi_db::auth::sessions::current_version(&self.db, account).await
        })
        .await
        .copied()
        .map_err(|e| {
            tracing::warn!(error = %e, "a session could not be checked; refused");
            Ended::Unchecked
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Versions> {
        // The map is consistent after any panic (single inserts), so a
        // poisoned lock is still usable.
        self.versions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One account's version: read once (by whichever request comes first),
/// trusted from `since` for `every`.
struct Slot {
    since: Instant,
    /// Made by a read that bypassed the cache: not bypassed again.
    fresh: bool,
    current: Arc<OnceCell<Current>>,
}

/// The bounded map of versions (no I/O, so it is tested on its own).
struct Versions {
    slots: HashMap<Uuid, Slot>,
    every: Duration,
    capacity: usize,
}

impl Versions {
    fn new(every: Duration, capacity: usize) -> Self {
        Self {
            slots: HashMap::new(),
            every,
            capacity: capacity.max(1),
        }
    }

    /// The cell holding the account's version at `now`: the cached one
    /// while it is trusted (unless `fresh` asks to bypass a slot that did
    /// not bypass already), else a new, empty one. A failed read leaves the
    /// cell empty, so the next request reads again.
    fn slot(&mut self, account: Uuid, now: Instant, fresh: bool) -> Arc<OnceCell<Current>> {
        if let Some(slot) = self.slots.get(&account)
            && now.saturating_duration_since(slot.since) < self.every
            && (slot.fresh || !fresh)
        {
            return slot.current.clone();
        }
        if self.slots.len() >= self.capacity && !self.slots.contains_key(&account) {
            let every = self.every;
            self.slots
                .retain(|_, s| now.saturating_duration_since(s.since) < every);
            if self.slots.len() >= self.capacity {
                self.slots.clear();
            }
        }
        let current = Arc::new(OnceCell::new());
        self.slots.insert(
            account,
            Slot {
                since: now,
                fresh,
                current: current.clone(),
            },
        );
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: Duration = Duration::from_secs(2);

    #[test]
    fn a_version_is_reused_while_trusted_and_read_again_after() {
        let mut v = Versions::new(EVERY, 10);
        let (account, t0) = (Uuid::new_v4(), Instant::now());
        let first = v.slot(account, t0, false);
        assert!(first.set(Some(3)).is_ok());
        let later = v.slot(account, t0 + Duration::from_millis(1_999), false);
        assert!(
            Arc::ptr_eq(&first, &later),
            "read again within the interval"
        );
        let stale = v.slot(account, t0 + EVERY, false);
        assert!(!Arc::ptr_eq(&first, &stale), "trusted past the interval");
        assert_eq!(stale.get(), None);
    }

    #[test]
    fn a_fresh_read_bypasses_the_cache_once_per_interval() {
        let mut v = Versions::new(EVERY, 10);
        let (account, t0) = (Uuid::new_v4(), Instant::now());
        let cached = v.slot(account, t0, false);
        let fresh = v.slot(account, t0, true);
        assert!(!Arc::ptr_eq(&cached, &fresh));
        // A flood of stale tokens costs no more reads than that.
        let again = v.slot(account, t0 + Duration::from_millis(10), true);
        assert!(Arc::ptr_eq(&fresh, &again));
    }

    #[test]
    fn the_cache_never_holds_more_accounts_than_its_capacity() {
        let mut v = Versions::new(EVERY, 100);
        let t0 = Instant::now();
        for i in 0..10_000u64 {
            let at = t0 + Duration::from_millis(i % 3_000);
            let _ = v.slot(Uuid::new_v4(), at, i % 2 == 0);
            assert!(v.slots.len() <= 100, "{} accounts held", v.slots.len());
        }
        // Stale entries go first: a fresh one survives a full cache.
        let mut v = Versions::new(EVERY, 3);
        let (kept, t1) = (Uuid::new_v4(), t0 + Duration::from_secs(10));
        for _ in 0..2 {
            let _ = v.slot(Uuid::new_v4(), t0, false);
        }
        let cell = v.slot(kept, t1, false);
        let _ = v.slot(Uuid::new_v4(), t1, false);
        assert_eq!(v.slots.len(), 2);
        assert!(Arc::ptr_eq(&cell, &v.slot(kept, t1, false)));
    }
}
