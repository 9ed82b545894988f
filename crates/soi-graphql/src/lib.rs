//! The GraphQL schema of the platform. Resolvers never touch a pool: they get
//! the [`Db`](soi_db::Db) from the schema data and open a tenant transaction
//! for the city of the request context (from the verified token, or for
//! public operations from the city slug).

mod applications;
mod attendance;
mod audit;
mod auth;
mod coaches;
mod error;
mod events;
mod funds;
mod groups;
mod limits;
pub mod live;
mod loaders;
mod mail;
mod money;
mod page_cache;
mod participants;
mod public;
mod public_city;
pub mod reports;
mod request;
mod rinks;
mod schema;
mod seasons;
mod sessions;
mod skills;
mod support;
mod throttle;
mod tickets;

pub use auth::AuthSettings;
pub use error::{ErrorCode, db_error};
pub use limits::{Limits, check_document, operations_named};
pub use request::{RequestCtx, prepare};
pub use schema::{SoiSchema, build_schema, sdl};
