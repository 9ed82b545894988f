//! Opaque single-use tokens (refresh tokens, invitations, password resets):
//! 256 random bits handed out once, stored and looked up only as their
//! SHA-256 hash.

use crate::AuthError;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A new opaque single-use token (256 random bits, URL-safe base64) and the
/// SHA-256 hash to store in its place: refresh tokens, invitations and
/// password resets. Only the hash is ever stored.
pub fn new_secret_token() -> Result<(String, Vec<u8>), AuthError> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|_| AuthError::Hashing)?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// A new refresh token and its hash (see [`new_secret_token`]).
pub fn new_refresh_token() -> Result<(String, Vec<u8>), AuthError> {
    new_secret_token()
}

/// The SHA-256 hash a secret token is stored and looked up by. Tokens are
/// 256 random bits, so a fast hash is enough (no dictionary to guess from).
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn refresh_hash(token: &str) -> Vec<u8> {
    token_hash(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_refresh_token().expect("token");
        let (b, _) = new_refresh_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(ha, refresh_hash(&a));
        assert_eq!(ha.len(), 32);
    }
}
