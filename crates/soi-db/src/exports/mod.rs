//! Exports: a city's tables read as streams, row by row, for the CSV and
//! XLSX downloads. Every query runs inside a [`TenantTx`] (the caller opens
//! it read-only, [`crate::Db::tenant_read_only`]) and names `city_id = $1` on
//! every city table it joins. Rows come off the socket as the consumer asks
//! for them (sqlx `fetch`), so an export never holds a table in memory.
//!
//! Joins across tables live here rather than in the table files because an
//! export is a report over several tables, like [`crate::reports`].

mod program;
mod records;

pub use program::{
    ApplicationRow, AttendanceRow, ParticipantRow, applications, attendance, participants,
};
pub use records::{AuditRow, LedgerRow, audit, ledger};

use crate::TenantTx;
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt};
use soi_core::SeasonId;

/// What an export covers: a season and a time window `[from, to)`; every
/// part optional. Kinds without seasons ignore `season`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub season: Option<SeasonId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A stream of rows borrowed from the transaction it reads in.
pub type Rows<'t, T> = futures_util::stream::BoxStream<'t, crate::Result<T>>;

/// Streams the rows of an export's `sql` in the transaction's city. Every
/// statement gets the same parameters, typed, and uses those it needs:
/// `$1` the city, `$2` the window's season, `$3` and `$4` its start and end.
fn stream<'t, T>(tx: &'t mut TenantTx, w: &Window, sql: &'static str) -> Rows<'t, T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin + 't,
{
    let (city, conn) = tx.parts();
    sqlx::query_as(sql)
        .bind(city)
        .bind(w.season.map(|s| s.as_uuid()))
        .bind(w.from)
        .bind(w.to)
        .fetch(conn)
        .map_err(crate::Error::from)
        .boxed()
}
