//! Signing in and out: `login`, `refreshToken` (rotating), `logout`, `me`,
//! and a user's own email language. All of it runs in national
//! transactions: accounts belong to no city.

mod mutation;
mod nodes;
mod query;

pub use mutation::{AuthMutation, AuthSettings};
pub use query::AuthQuery;
