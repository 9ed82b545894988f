//! Per-city usage at `/metrics`, so an operator sees which tenant is heavy
//! (what Citus's `citus_stat_tenants` shows, without Citus): requests by
//! the requester's city and operation kind, and the database time and rows
//! written of each city's tenant transactions. Labelled by city slug, so
//! there are as many series as cities. Requests without a city in their
//! token count as `national` or `public`; the database work a public
//! operation does in a city (an application) counts to that city.

use crate::city_names::CityNames;
use crate::metrics::{Histogram, histograms};
use soi_db::Db;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests by (city label, kind), and their latency by city label; one
/// lock, one label for a city everywhere. Cheap to clone.
#[derive(Clone, Default)]
pub struct CityRequests {
    inner: Arc<Mutex<Requests>>,
}

#[derive(Default)]
struct Requests {
    counts: BTreeMap<(String, &'static str), u64>,
    latency: BTreeMap<String, Histogram>,
}

impl CityRequests {
    /// Records one operation of `kind` (query, mutation, subscription or
    /// unknown) for `city` (a slug, `national` or `public`) that took `took`.
    pub fn record(&self, city: &str, kind: &'static str, took: Duration) {
        if let Ok(mut r) = self.inner.lock() {
            *r.counts.entry((city.to_owned(), kind)).or_default() += 1;
            r.latency
                .entry(city.to_owned())
                .or_default()
                .observe(took.as_secs_f64());
        }
    }
}

/// A counter family: its name, its help line and a city's value.
type Family = (
    &'static str,
    &'static str,
    fn(&soi_db::UsageFigures) -> String,
);

/// Writes the per-city families: requests, their latency, database time,
/// statements and rows written.
pub(crate) async fn render(out: &mut String, requests: &CityRequests, db: &Db, names: &CityNames) {
    out.push_str("# HELP soi_city_requests_total GraphQL operations by the requester's city (slug, national or public) and kind.\n# TYPE soi_city_requests_total counter\n");
    if let Ok(r) = requests.inner.lock() {
        for ((city, kind), n) in &r.counts {
            let _ = writeln!(
                out,
                "soi_city_requests_total{{city=\"{city}\",kind=\"{kind}\"}} {n}"
            );
        }
        histograms(
            out,
            "soi_graphql_city_request_duration_seconds",
            "GraphQL operation latency by the requester's city (slug, national or public).",
            "city",
            &r.latency,
        );
    }
    let mut usage = Vec::new();
    for (id, figures) in db.city_usage() {
        // A city unknown even after a fresh read has been deleted: its id
        // is the label then (ids are not personal data).
        let slug = names
            .slug(db, id)
            .await
            .unwrap_or_else(|| id.as_uuid().to_string());
        usage.push((slug, figures));
    }
    usage.sort_by(|a, b| a.0.cmp(&b.0));
    let families: [Family; 3] = [
        (
            "soi_city_db_seconds_total",
            "Seconds each city's tenant transactions waited for PostgreSQL (BEGIN and COMMIT included).",
            |f| f.db_seconds.to_string(),
        ),
        (
            "soi_city_db_statements_total",
            "Statements each city's tenant transactions ran.",
            |f| f.statements.to_string(),
        ),
        (
            "soi_city_rows_written_total",
            "Rows each city's tenant transactions inserted, updated or deleted.",
            |f| f.rows_written.to_string(),
        ),
    ];
    for (name, help, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        for (city, f) in &usage {
            let _ = writeln!(out, "{name}{{city=\"{city}\"}} {}", value(f));
        }
    }
}
