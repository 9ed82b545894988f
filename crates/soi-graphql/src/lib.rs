//! The GraphQL schema of the platform. Resolvers never touch a pool: they get
//! the [`Db`](soi_db::Db) from the schema data and open a tenant transaction
//! for the city of the request context (from the verified token, or for
//! public operations from the city slug).

mod auth;
mod error;
mod public;
mod request;
mod schema;

pub use auth::AuthSettings;
pub use error::{ErrorCode, db_error};
pub use request::RequestCtx;
pub use schema::{Limits, SoiSchema, build_schema, sdl};
