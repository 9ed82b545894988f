//! Per-city usage at `/metrics`, so an operator sees which tenant is heavy
//! (what Citus's `citus_stat_tenants` shows, without Citus): requests by
//! the requester's city and operation kind, and the database time and rows
//! written of each city's tenant transactions. Labelled by city slug, so
//! there are as many series as cities. Requests without a city in their
//! token count as `national` or `public`; the database work a public
//! operation does in a city (an application) counts to that city.

use crate::city_names::CityNames;
use soi_db::Db;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// Requests by (city label, kind); cheap to clone.
#[derive(Clone, Default)]
pub struct CityRequests {
    counts: Arc<Mutex<BTreeMap<(String, &'static str), u64>>>,
}

impl CityRequests {
    /// Counts one operation of `kind` (query, mutation, subscription or
    /// unknown) for `city` (a slug, `national` or `public`).
    pub fn count(&self, city: &str, kind: &'static str) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry((city.to_owned(), kind)).or_default() += 1;
        }
    }

    fn snapshot(&self) -> Vec<((String, &'static str), u64)> {
        self.counts
            .lock()
            .map(|c| c.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default()
    }
}

/// A counter family: its name, its help line and a city's value.
type Family = (
    &'static str,
    &'static str,
    fn(&soi_db::UsageFigures) -> String,
);

/// Writes the four per-city families.
pub(crate) async fn render(out: &mut String, requests: &CityRequests, db: &Db, names: &CityNames) {
    out.push_str("# HELP soi_city_requests_total GraphQL operations by the requester's city (slug, national or public) and kind.\n# TYPE soi_city_requests_total counter\n");
    for ((city, kind), n) in requests.snapshot() {
        let _ = writeln!(
            out,
            "soi_city_requests_total{{city=\"{city}\",kind=\"{kind}\"}} {n}"
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
