//! The GraphQL schema of the platform. Resolvers never touch a pool: they get
//! the [`Db`](soi_db::Db) from the schema data and open a tenant transaction
//! for the city of the request context (from the verified token, or for
//! public operations from the city slug).
//!
//! Layout: one folder per feature (`program/<feature>`, `events`, `tickets`,
//! `funds`, `reports`, `mail`, `auth`, `audit`, `cities`), each split the
//! same way: `query.rs`, `mutation.rs`, `subscription.rs` (the operations of
//! signed-in users), `public.rs` (what anyone may call without signing in,
//! with the types only it uses), `nodes.rs` (output types), `inputs.rs`
//! (input types), and a `mod.rs` that only declares and re-exports. A part
//! of a feature large enough to stand alone is a sub-folder split the same
//! way (`events/performances`, `tickets/sales`, `funds/ledger`). Plumbing
//! every resolver shares is in `plumbing/`, role lists, languages, money
//! and nodes several features return in `shared/`; use cases that span
//! tables in `use_cases/`. Imports point one way: features → shared →
//! plumbing.

mod audit;
mod auth;
mod cities;
mod events;
mod funds;
mod mail;
mod plumbing;
mod privacy;
mod program;
pub mod reports;
mod schema;
mod shared;
mod tickets;

pub use auth::AuthSettings;
pub use plumbing::error::{ErrorCode, db_error};
pub use plumbing::gate::{Gated, validated};
pub use plumbing::limits::{Limits, check_document, operations_named};
pub use plumbing::live;
pub use plumbing::request::{RequestCtx, prepare};
pub use plumbing::throttle;
pub use schema::{SoiSchema, build_schema, sdl};
