//! The PostgreSQL layer, and the only crate that writes SQL.
//!
//! Doors to data, each explicit:
//! - [`Db::tenant`] opens a [`TenantTx`] for one city (request or system scope);
//!   every repository function takes one and names `city_id` in every query.
//! - [`Db::national`] opens a [`NationalTx`] with no city: national tables and
//!   aggregates only; city tables show no rows there.
//! - [`Db::report`] opens a [`ReportTx`] as the national role: rollups only;
//!   every city table refuses it.
//! - [`SystemDb`] is the owner's connection: migrations and city launch.
//!
//! No pool leaves this crate.

pub mod accounts;
pub mod attendance;
pub mod audit;
// Statements of the benchmarks only: `soi-bench` turns the feature on.
#[cfg(feature = "bench")]
pub mod bench;
pub mod cities;
pub mod coaches;
mod coded;
mod config;
pub mod email_preferences;
pub mod enrollments;
mod error;
pub mod event_partners;
pub mod events;
pub mod funds;
pub mod groups;
pub mod judge_marks;
pub mod ledger;
mod medians;
pub mod orders;
pub mod outbox;
pub mod participants;
pub mod payments;
pub mod performances;
pub mod performers;
mod pool;
mod report_tx;
pub mod reports;
pub mod rinks;
pub mod sales;
pub mod seasons;
pub mod seats;
pub mod sessions;
pub mod skills;
mod system;
mod tenant;
pub mod ticket_types;
pub mod tickets;

pub use config::DbConfig;
pub use error::{Error, Result};
pub use pool::Db;
pub use report_tx::ReportTx;
pub use system::{Launched, SystemDb, admin};
pub use tenant::{NationalRead, NationalTx, TenantTx};

/// A page of a keyset-paginated list: rows after a cursor, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Page<C> {
    pub after: Option<C>,
    pub limit: u32,
}

impl<C> Page<C> {
    /// The most rows one page may ask for.
    pub const MAX: u32 = 100;

    pub fn first(limit: u32) -> Self {
        Self { after: None, limit }
    }

    /// Clamped to 1..=MAX + 1 (one more than a page, to tell whether another
    /// follows); the gateway rejects a larger `first` before this.
    pub(crate) fn sql_limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, Self::MAX + 1))
    }
}
