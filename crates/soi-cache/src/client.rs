//! The [`Redis`] handle: one multiplexed connection, the shared health state and the counters.
//! Rule: every command goes through [`Redis::run`], which refuses at once while Redis is down,
//! bounds the command by `op_timeout` and turns any failure into [`Unavailable`].

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::health::Health;
use crate::local_limiter::LocalLimiter;
use crate::{Cache, Error, PersistedQueries, PubSub, RateLimiter, Scope, Unavailable};

/// How the Redis layer behaves; [`Default`] suits production.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// First segment of every key and channel (`soi`), so deployments or tests can share a
    /// Redis without seeing each other's data.
    pub prefix: String,
    /// Second segment: the identity of the database the data comes from (see
    /// `soi_db::Db::identity`), so a re-created database, or another one behind the same
    /// prefix, never reads what was cached from the old one. Ids cached for a slug and
    /// reports keyed by counters that restart at 0 would otherwise be served across them.
    pub namespace: Option<String>,
    /// Upper bound of one Redis operation: a slow Redis must not slow requests.
    pub op_timeout: Duration,
    /// While Redis is considered down it is skipped for this long before one probe.
    pub retry_after_down: Duration,
    /// Upper bound of one connection attempt (done in the background, never by a request).
    pub connect_timeout: Duration,
    /// Bounds of the persisted-query store.
    pub apq: crate::ApqOptions,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            prefix: "soi".to_owned(),
            namespace: None,
            op_timeout: Duration::from_millis(100),
            retry_after_down: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            apq: crate::ApqOptions::default(),
        }
    }
}

/// Snapshot of the counters, for metrics and `/readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Cache reads answered from Redis.
    pub hits: u64,
    /// Cache reads that went to PostgreSQL (absent, or Redis skipped while down).
    pub misses: u64,
    /// Redis commands that failed or timed out, and cached values that did not decode.
    pub errors: u64,
    /// Rate-limit checks decided in process because Redis was unavailable.
    pub rate_limit_fallbacks: u64,
    /// Whether Redis is currently considered up.
    pub up: bool,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) rate_limit_fallbacks: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub(crate) struct Inner {
    pub(crate) client: redis::Client,
    pub(crate) conn: ConnectionManager,
    pub(crate) opts: CacheOptions,
    pub(crate) health: Health,
    pub(crate) counters: Counters,
    pub(crate) local: LocalLimiter,
    /// Scopes whose invalidation could not reach Redis; their cache stays bypassed
    /// until the bump succeeds (see [`Cache::scoped_key`]).
    pub(crate) pending_invalidations: Mutex<HashSet<Scope>>,
    pub(crate) runtime: tokio::runtime::Handle,
    /// Commands to the shared subscriber connection, started with the first subscription.
    pub(crate) hub: Mutex<Option<tokio::sync::mpsc::UnboundedSender<crate::hub::Command>>>,
}

/// The handle to the Redis layer; cheap to clone, one per process in `AppState`.
#[derive(Clone)]
pub struct Redis {
    pub(crate) inner: Arc<Inner>,
}

impl Redis {
    /// Builds the handle without touching the network: a watchdog task connects in the
    /// background and keeps probing, and until it succeeds every operation is a fast
    /// [`Unavailable`]. Must be called inside a Tokio runtime. Fails only on configuration.
    pub fn new(url: &str, opts: CacheOptions) -> Result<Self, Error> {
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !segment_ok(&opts.prefix) {
            return Err(Error::InvalidPrefix(opts.prefix));
        }
        if let Some(ns) = opts.namespace.as_deref().filter(|ns| !segment_ok(ns)) {
            return Err(Error::InvalidPrefix(ns.to_owned()));
        }
        let client = redis::Client::open(url).map_err(Error::InvalidUrl)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        // One quick retry per reconnect: the health state decides the pace of probing,
        // a long backoff inside the manager would only delay noticing that Redis is back.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(opts.connect_timeout))
            .set_response_timeout(Some(opts.op_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(200));
        let conn = client
            .get_connection_manager_lazy(config)
            .map_err(Error::InvalidUrl)?;
        let inner = Arc::new(Inner {
            client,
            conn,
            health: Health::new(opts.retry_after_down),
            opts,
            counters: Counters::default(),
            local: LocalLimiter::default(),
            pending_invalidations: Mutex::new(HashSet::new()),
            runtime: runtime.clone(),
            hub: Mutex::new(None),
        });
        runtime.spawn(watchdog(Arc::downgrade(&inner)));
        Ok(Self { inner })
    }

    /// Whether Redis currently answers; `/readyz` reports it (the app still serves without it).
    pub fn is_up(&self) -> bool {
        self.inner.health.is_up()
    }

    /// Snapshot of the counters.
    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        Stats {
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
            rate_limit_fallbacks: c.rate_limit_fallbacks.load(Ordering::Relaxed),
            up: self.is_up(),
        }
    }

    /// The JSON response cache.
    pub fn cache(&self) -> Cache {
        Cache::new(self.clone())
    }

    /// The store of Apollo automatic persisted queries.
    pub fn apq(&self) -> PersistedQueries {
        PersistedQueries::new(self.clone())
    }

    /// The rate limiter.
    pub fn limiter(&self) -> RateLimiter {
        RateLimiter::new(self.clone())
    }

    /// Publish/subscribe for live updates.
    pub fn pubsub(&self) -> PubSub {
        PubSub::new(self.clone())
    }

    /// The shared subscriber connection's command queue (started on first use, or again
    /// if it ended with its runtime).
    pub(crate) fn hub(&self) -> tokio::sync::mpsc::UnboundedSender<crate::hub::Command> {
        let mut hub = self
            .inner
            .hub
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match hub.as_ref() {
            Some(commands) if !commands.is_closed() => commands.clone(),
            _ => {
                let inner = &self.inner;
                let commands = crate::hub::start(
                    &inner.runtime,
                    inner.client.clone(),
                    inner.opts.connect_timeout,
                    inner.opts.retry_after_down,
                );
                *hub = Some(commands.clone());
                commands
            }
        }
    }

    /// The Redis name of a scoped, unprefixed name.
    pub(crate) fn full(&self, name: &str) -> String {
        match &self.inner.opts.namespace {
            Some(ns) => format!("{}:{ns}:{name}", self.inner.opts.prefix),
            None => format!("{}:{name}", self.inner.opts.prefix),
        }
    }

    /// Runs one command under the health gate and the operation timeout.
    pub(crate) async fn run<T, F, Fut>(&self, op: F) -> Result<T, Unavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let inner = &self.inner;
        if !inner.health.permit() {
            return Err(Unavailable);
        }
        match tokio::time::timeout(inner.opts.op_timeout, op(inner.conn.clone())).await {
            Ok(Ok(value)) => {
                inner.health.mark_up();
                Ok(value)
            }
            Ok(Err(err)) => {
                Counters::bump(&inner.counters.errors);
                // A refused command (wrong type, LOADING, script error) says nothing
                // reliable about reachability; only connection-level failures mark down.
                if is_outage(&err) {
                    inner.health.mark_down();
                }
                tracing::warn!(error = %err, "redis command failed");
                Err(Unavailable)
            }
            Err(_) => {
                Counters::bump(&inner.counters.errors);
                inner.health.mark_down();
                tracing::warn!("redis command timed out");
                Err(Unavailable)
            }
        }
    }
}

/// Whether an error means Redis cannot be reached (as opposed to a refused command).
fn is_outage(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_unrecoverable_error()
}

/// Background task: connects at start, then PINGs every `retry_after_down` so `is_up` follows
/// Redis even without traffic, and retries invalidations that failed during an outage.
/// Holds only a weak reference: it ends when the last handle is dropped.
async fn watchdog(inner: Weak<Inner>) {
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let period = strong.opts.retry_after_down;
        let redis = Redis { inner: strong };
        if probe(&redis).await {
            redis.cache().flush_pending_invalidations().await;
        }
        drop(redis);
        tokio::time::sleep(period).await;
    }
}

/// One PING outside the health gate; on an I/O error the manager starts a reconnect, so a
/// second PING shortly after tells whether Redis is back without waiting a whole period.
async fn probe(redis: &Redis) -> bool {
    let inner = &redis.inner;
    let limit = inner.opts.connect_timeout + inner.opts.op_timeout;
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut conn = inner.conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        if let Ok(Ok(_)) = tokio::time::timeout(limit, ping).await {
            inner.health.mark_up();
            return true;
        }
    }
    inner.health.mark_down();
    false
}
