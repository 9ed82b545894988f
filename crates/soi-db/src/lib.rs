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
//!
//! Layout: the plumbing in [`conn`]; then one folder per feature, named as in
//! `soi-graphql` (`program`, `events`, `tickets`, `funds`, `reports`, `mail`,
//! `auth`) and one file per table's SQL, plus the national `cities` and the
//! `audit` log. A table file does SQL for its own table only and imports no
//! sibling table file; a flow that spans tables is a use case of
//! `soi-service`, which calls these files inside the caller's transaction.

pub mod audit;
pub mod auth;
// Statements of the benchmarks only: `soi-bench` turns the feature on.
#[cfg(feature = "bench")]
pub mod bench;
pub mod cities;
pub mod conn;
pub mod events;
pub mod funds;
pub mod mail;
pub mod program;
pub mod reports;
pub mod tickets;

pub use conn::{
    Db, DbConfig, Error, Launched, NationalRead, NationalTx, Page, ReportTx, Result, SystemDb,
    TenantTx, admin,
};

// Old paths, kept until the callers move (issue 13).
#[allow(unused_imports)] // `bench.rs` still names `crate::error`.
use conn::error;
pub use events::{event_partners, judge_marks, performances, performers};
pub use funds::ledger;
pub use mail::email_preferences;
pub use program::{attendance, enrollments, participants, rinks, seasons, sessions};
pub use tickets::{payments, sales, seats, ticket_types};
/// Old path of `auth::accounts` and `auth::refresh_tokens`.
pub mod accounts {
    pub use crate::auth::{accounts::*, refresh_tokens::*};
}
/// Old path of `program::coaches` and `program::coach_certificates`.
pub mod coaches {
    pub use crate::program::{coach_certificates::*, coaches::*};
}
/// Old path of `program::groups`, `group_members` and `group_coaches`.
pub mod groups {
    pub use crate::program::{group_coaches::*, group_members::*, groups::*};
}
/// Old path of `tickets::orders`, `tickets::order_lines` and the order status.
pub mod orders {
    pub use crate::tickets::OrderStatus;
    pub use crate::tickets::order_lines::{Line, lines_of};
    pub use crate::tickets::orders::*;
}
/// Old path of `mail::outbox` and its wake-ups.
pub mod outbox {
    pub use crate::mail::{outbox::*, wakeups::*};
}
/// Old path of `program::skills` and `program::skill_assessments`.
pub mod skills {
    pub use crate::program::{skill_assessments::*, skills::*};
}
