//! The use-case layer: every flow that spans tables has its one home here,
//! and GraphQL resolvers, HTTP handlers (the payment webhook), workers, seeds
//! and tests all call the same function.
//!
//! Rules each use case keeps:
//! - it takes `&mut TenantTx` and its input; the caller begins and commits,
//!   so a request can run in one transaction, and a use case commits whole
//!   or not at all;
//! - it calls `soi_db`'s table files (no SQL here) and enqueues the emails
//!   that belong to the flow with `soi_mail::kinds`, in the same transaction;
//! - it carries `#[tracing::instrument(skip_all, fields(city = …, request_id
//!   = …))]` (the request the caller named on the transaction), with no
//!   personal data in its fields;
//! - it fails with `soi_db`'s [`Error`]: `NotFound`, `Conflict` and
//!   `Invalid` are the domain's refusals, each layer above maps them once.
//!
//! Folders by feature, as in `soi-graphql` and `soi-db`: [`program`],
//! [`events`], [`tickets`], [`funds`]; and the spreadsheet work:
//! [`exports`] (imports are a program flow: [`program::imports`]).

pub mod auth;
pub mod events;
pub mod exports;
pub mod funds;
pub mod personal_data;
pub mod privacy;
pub mod program;
pub mod tickets;

pub use soi_db::{Error, Result};
