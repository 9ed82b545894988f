//! Signing in: accounts and their refresh tokens, national tables (a user
//! signs in before a city is known).

pub mod accounts;
pub mod refresh_tokens;
pub mod sessions;
