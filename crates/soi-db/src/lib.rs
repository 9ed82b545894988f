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
//!
//! Batch readers (one statement for a list of ids, for the GraphQL loaders
//! and the mail kinds) are named by what the ids are:
//! - `by_ids(tx, &ids)`: the table's rows by their own ids
//!   (`participants::by_ids`);
//! - `of_<parents>(tx, &parent_ids)`: the rows that belong to those parents
//!   (`participants::of_groups`, `order_lines::of_orders`);
//! - `<figure>_of_<parents>(tx, &parent_ids)`: a figure per parent
//!   (`attendance::rates_of_participants`, `enrollments::seats_taken_of_seasons`).

pub mod audit;
pub mod auth;
// Statements of the benchmarks only: `soi-bench` turns the feature on.
#[cfg(feature = "bench")]
pub mod bench;
pub mod cities;
pub mod conn;
pub mod events;
pub mod exports;
pub mod funds;
pub mod mail;
pub mod personal_data;
pub mod program;
pub mod reports;
pub mod tickets;

pub use conn::{
    Db, DbConfig, Error, Launched, MailTx, Mailbox, NationalRead, NationalTx, Page,
    PrivilegedLogin, ReportTx, Result, SystemDb, SystemTx, TenantTx, TracedConn, UsageFigures,
    admin,
};
