//! What each city costs the database, counted in-process for the metrics
//! (what Citus's `citus_stat_tenants` shows, without Citus): statements run
//! in the city's tenant transactions, their time (from sending a statement
//! to its last result, BEGIN and COMMIT included) and the rows they wrote
//! (PostgreSQL's count of rows affected by INSERT, UPDATE, DELETE, and by a
//! WITH that writes). Keyed by city id: as many entries as cities.

use soi_core::CityId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One city's counters; they only grow.
#[derive(Default, Debug)]
pub struct CityUsage {
    statements: AtomicU64,
    nanos: AtomicU64,
    rows_written: AtomicU64,
}

impl CityUsage {
    pub(crate) fn add(&self, took: Duration, rows_written: u64) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.rows_written.fetch_add(rows_written, Ordering::Relaxed);
    }

    fn figures(&self) -> UsageFigures {
        UsageFigures {
            statements: self.statements.load(Ordering::Relaxed),
            db_seconds: self.nanos.load(Ordering::Relaxed) as f64 / 1e9,
            rows_written: self.rows_written.load(Ordering::Relaxed),
        }
    }
}

/// A city's counters as read at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UsageFigures {
    /// Statements run (BEGIN and COMMIT included).
    pub statements: u64,
    /// Seconds spent waiting for PostgreSQL on them.
    pub db_seconds: f64,
    /// Rows inserted, updated or deleted.
    pub rows_written: u64,
}

/// The counters of every city seen, shared by a [`super::Db`]'s clones.
#[derive(Clone, Default)]
pub(crate) struct Usage {
    cities: Arc<RwLock<HashMap<CityId, Arc<CityUsage>>>>,
}

impl Usage {
    /// The counters of `city`, made on its first transaction.
    pub(crate) fn of(&self, city: CityId) -> Arc<CityUsage> {
        if let Ok(cities) = self.cities.read()
            && let Some(usage) = cities.get(&city)
        {
            return usage.clone();
        }
        match self.cities.write() {
            Ok(mut cities) => cities.entry(city).or_default().clone(),
            // A panic elsewhere poisoned the map: count into a loose entry
            // rather than fail the request.
            Err(_) => Arc::default(),
        }
    }

    /// Every city's figures, in no particular order.
    pub(crate) fn snapshot(&self) -> Vec<(CityId, UsageFigures)> {
        self.cities
            .read()
            .map(|cities| cities.iter().map(|(id, u)| (*id, u.figures())).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_city_counts_only_its_own_work() {
        let usage = Usage::default();
        let (a, b) = (
            CityId::from(uuid::Uuid::new_v4()),
            CityId::from(uuid::Uuid::new_v4()),
        );
        usage.of(a).add(Duration::from_millis(3), 2);
        usage.of(a).add(Duration::from_millis(1), 0);
        usage.of(b).add(Duration::from_millis(5), 7);
        let figures: HashMap<_, _> = usage.snapshot().into_iter().collect();
        assert_eq!(figures[&a].statements, 2);
        assert_eq!(figures[&a].rows_written, 2);
        assert!((figures[&a].db_seconds - 0.004).abs() < 1e-9);
        assert_eq!(figures[&b].rows_written, 7);
        assert_eq!(figures.len(), 2);
    }
}
