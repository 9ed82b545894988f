//! The national median of a period, kept in the process by the national
//! version. Every chapter admin's report compares against it and it is the
//! same for all of them, but it reads every city's rollups: kept here, a
//! city's report costs one round trip for the median instead of a scan of
//! every city, with or without Redis, until any city's figures change.

use super::memo::Kept;
use super::rollups::{self as reports, ReportQuery};
use crate::{Db, Result};
use chrono::NaiveDate;
use soi_core::report::Figures;

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
