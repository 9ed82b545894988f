//! Prometheus metrics at `/metrics` (text format 0.0.4): GraphQL requests by
//! operation (the first root field, so the schema bounds the label values)
//! and outcome, their latency (by operation; by city in
//! [`crate::city_usage`], under the same slug labels as its other series), the Redis cache's hits, misses and errors, rate
//! limits counted without Redis, the outbox depth, the pool's use, the
//! session versions read and the tenant transactions begun. No label ever holds personal data.

use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use soi_core::SystemCtx;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// How long an outbox count is reused: counting visits every city.
const OUTBOX_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    pub(crate) fn observe(&mut self, secs: f64) {
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.buckets[i] += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

#[derive(Default)]
struct Inner {
    /// By operation and outcome. Not by city as well: operations times
    /// cities would be hundreds of thousands of series at 2,000 cities.
    requests: BTreeMap<(String, &'static str), u64>,
    by_operation: BTreeMap<String, Histogram>,
    outbox: Option<(Instant, Vec<(String, i64)>)>,
}

/// The process's metrics; cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Inner>>,
    /// Requests and their latency by city and kind (see [`crate::city_usage`]).
    pub(crate) cities: crate::city_usage::CityRequests,
}

impl Metrics {
    /// Records one GraphQL operation.
    pub fn observe(&self, operation: &str, ok: bool, took: Duration) {
        let Ok(mut m) = self.inner.lock() else {
            return;
        };
        let outcome = if ok { "ok" } else { "error" };
        *m.requests
            .entry((operation.to_owned(), outcome))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        m.by_operation
            .entry(operation.to_owned())
            .or_default()
            .observe(secs);
    }

    fn cached_outbox(&self) -> Option<Vec<(String, i64)>> {
        let m = self.inner.lock().ok()?;
        m.outbox
            .as_ref()
            .filter(|(at, _)| at.elapsed() < OUTBOX_EVERY)
            .map(|(_, v)| v.clone())
    }

    fn keep_outbox(&self, counts: Vec<(String, i64)>) {
        if let Ok(mut m) = self.inner.lock() {
            m.outbox = Some((Instant::now(), counts));
        }
    }

    fn render_requests(&self, out: &mut String) {
        let Ok(m) = self.inner.lock() else {
            return;
        };
        out.push_str("# HELP soi_graphql_requests_total GraphQL operations by root field and outcome.\n# TYPE soi_graphql_requests_total counter\n");
        for ((op, outcome), n) in &m.requests {
            let _ = writeln!(
                out,
                "soi_graphql_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        histograms(
            out,
            "soi_graphql_request_duration_seconds",
            "GraphQL operation latency by root field.",
            "operation",
            &m.by_operation,
        );
    }
}

pub(crate) fn histograms(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    all: &BTreeMap<String, Histogram>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    for (key, h) in all {
        for (le, n) in BUCKETS.iter().zip(h.buckets) {
            let _ = writeln!(out, "{name}_bucket{{{label}=\"{key}\",le=\"{le}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{label}=\"{key}\",le=\"+Inf\"}} {}\n{name}_sum{{{label}=\"{key}\"}} {}\n{name}_count{{{label}=\"{key}\"}} {}",
            h.count, h.sum, h.count
        );
    }
}

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
    );
}

/// Messages waiting, sending or parked in every city's outbox.
async fn outbox_depth(state: &AppState) -> soi_db::Result<Vec<(String, i64)>> {
    let mut national = state.db.national().await?;
    let cities = soi_db::cities::list(&mut national).await?;
    national.commit().await?;
    let job = SystemCtx::new("metrics");
    let mut total: BTreeMap<String, i64> = BTreeMap::new();
    for city in cities {
        let mut tx = state.db.tenant(&job.in_city(city.id)).await?;
        for (status, n) in soi_db::mail::outbox::counts(&mut tx).await? {
            *total.entry(status).or_default() += n;
        }
        tx.commit().await?;
    }
    Ok(total.into_iter().collect())
}

pub async fn render(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = crate::scrape::refusal(state.metrics_token.as_ref(), peer, &headers) {
        return refused;
    }
    let mut out = String::new();
    state.metrics.render_requests(&mut out);
    if let Some(redis) = &state.redis {
        let s = redis.stats();
        gauge(
            &mut out,
            "soi_cache_hits_total",
            "Cache reads answered by Redis.",
            "counter",
            s.hits,
        );
        gauge(
            &mut out,
            "soi_cache_misses_total",
            "Cache reads Redis did not hold.",
            "counter",
            s.misses,
        );
        gauge(
            &mut out,
            "soi_cache_errors_total",
            "Redis operations that failed or timed out.",
            "counter",
            s.errors,
        );
        gauge(
            &mut out,
            "soi_rate_limit_fallbacks_total",
            "Rate-limit checks counted in-process because Redis was unavailable.",
            "counter",
            s.rate_limit_fallbacks,
        );
        gauge(
            &mut out,
            "soi_redis_up",
            "1 while Redis answers.",
            "gauge",
            u8::from(s.up),
        );
    }
    let outbox = match state.metrics.cached_outbox() {
        Some(v) => Some(v),
        None => match outbox_depth(&state).await {
            Ok(v) => {
                state.metrics.keep_outbox(v.clone());
                Some(v)
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox depth not counted");
                None
            }
        },
    };
    if let Some(counts) = outbox {
        out.push_str("# HELP soi_outbox_messages Emails in every city's outbox by status.\n# TYPE soi_outbox_messages gauge\n");
        for (status, n) in counts {
            let _ = writeln!(out, "soi_outbox_messages{{status=\"{status}\"}} {n}");
        }
    }
    gauge(
        &mut out,
        "soi_session_version_reads_total",
        "Account session versions read from PostgreSQL to check access tokens (cached per account).",
        "counter",
        state.sessions.reads(),
    );
    let (size, idle) = state.db.pool_usage();
    out.push_str("# HELP soi_db_pool_connections PostgreSQL pool connections by state.\n# TYPE soi_db_pool_connections gauge\n");
    let _ = writeln!(out, "soi_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "soi_db_pool_connections{{state=\"busy\"}} {}",
        (size as usize).saturating_sub(idle)
    );
    // After the outbox count, whose reads in each city count to that city:
    // a scrape then shows its own work, and the next one (within
    // OUTBOX_EVERY) adds none.
    crate::city_usage::render(
        &mut out,
        &state.metrics.cities,
        &state.db,
        &state.city_names,
    )
    .await;
    // Read last, so the outbox count's own transactions are in this value,
    // not the next scrape's: two scrapes around a request differ by exactly
    // what the request (and anything running beside it) began.
    gauge(
        &mut out,
        "soi_db_tenant_transactions_total",
        "Tenant (one-city) transactions begun.",
        "counter",
        state.db.tenant_transactions(),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
