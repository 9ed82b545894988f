//! The memo of national medians a [`Db`](crate::Db) handle keeps: by
//! period, each with the national version it was computed at. No I/O here:
//! [`super::medians`] reads and fills it.

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
pub(crate) struct Kept {
    pub(crate) version: i64,
    pub(crate) compared: i64,
    pub(crate) figures: Figures,
}

impl Medians {
    pub(crate) fn get(&self, period: (NaiveDate, NaiveDate), version: i64) -> Option<Kept> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&period).copied().filter(|k| k.version == version)
    }

    pub(crate) fn put(&self, period: (NaiveDate, NaiveDate), kept: Kept) {
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
