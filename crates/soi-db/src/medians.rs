//! The national median of a period, kept in the process by the national
//! version. Every chapter admin's report compares against it and it is the
//! same for all of them, but it reads every city's rollups: kept here, a
//! city's report costs one round trip for the median instead of a scan of
//! every city, with or without Redis, until any city's figures change.

use crate::error::Result;
use crate::pool::Db;
use crate::reports::{self, ReportQuery};
use chrono::NaiveDate;
use soi_core::report::Figures;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Periods kept at once; past it the memo starts afresh (admins ask for a
/// handful of periods, so this bounds memory, not hits).
const MAX_PERIODS: usize = 256;

/// Medians by period, each with the national version it was computed at.
#[derive(Clone, Default)]
pub(crate) struct Medians(Arc<Mutex<HashMap<(NaiveDate, NaiveDate), Kept>>>);

#[derive(Clone, Copy)]
struct Kept {
    version: i64,
    compared: i64,
    figures: Figures,
}

impl Medians {
    fn get(&self, period: (NaiveDate, NaiveDate), version: i64) -> Option<Kept> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&period).copied().filter(|k| k.version == version)
    }

    fn put(&self, period: (NaiveDate, NaiveDate), kept: Kept) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_PERIODS && !map.contains_key(&period) {
            map.clear();
        }
        // Never replace a newer median with an older one (two misses racing).
        if map.get(&period).is_none_or(|k| k.version <= kept.version) {
            map.insert(period, kept);
        }
    }
}

impl Db {
    /// The number of cities with figures in `from..=to` and their median
    /// (see [`reports::national_median`]), never older than the figures
    /// committed before the call: the version is read first, and a median
    /// is reused only while the version has not moved.
    pub async fn national_median(&self, from: NaiveDate, to: NaiveDate) -> Result<(i64, Figures)> {
        let period = (from, to);
        let now = self.national_version().await?;
        if let Some(k) = self.medians().get(period, now) {
            return Ok((k.compared, k.figures));
        }
        let mut tx = self.report().await?;
        // Read in the median's snapshot: the median is exactly this version.
        let version = reports::national_version(&mut tx).await?;
        let q = ReportQuery { from, to, by: None };
        let (compared, figures) = reports::national_median(&mut tx, &q).await?;
        tx.finish().await?;
        self.medians().put(
            period,
            Kept {
                version,
                compared,
                figures,
            },
        );
        Ok((compared, figures))
    }
}
