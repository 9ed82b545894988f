//! Credentials: argon2id password hashes, short-lived access tokens (JWT with
//! one fixed algorithm, HS256, and a key from the configuration) and opaque
//! refresh tokens stored only as SHA-256 hashes. Pure functions: callers run
//! the CPU-heavy hashing off the async runtime (`spawn_blocking`).

mod access_tokens;
mod passwords;
mod policy;
mod seal;
mod secret_tokens;

pub use access_tokens::{Session, TokenKeys};
pub use passwords::{decoy_hash, hash_password, verify_password};
pub use policy::{PasswordProblem, check_password};
pub use seal::Sealer;
pub use secret_tokens::{new_refresh_token, new_secret_token, refresh_hash, token_hash};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// `UNAUTHENTICATED`: missing, malformed, expired, tampered or foreign token.
    #[error("the access token is not valid")]
    InvalidToken,
    /// Internal: hashing failed (should not happen).
    #[error("password hashing failed")]
    Hashing,
}
