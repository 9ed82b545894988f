//! Password hashes: argon2id in PHC string form, verified in constant time,
//! and a decoy hash so an unknown email costs as much as a wrong password.
//! CPU-heavy: callers run these off the async runtime (`spawn_blocking`).

use crate::AuthError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// An argon2id hash in PHC string form.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AuthError::Hashing)
}

/// Whether the password matches the stored hash (constant-time compare).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A real hash to verify against when the email is unknown, so a wrong
/// email costs the same time as a wrong password (made once per process).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password for unknown emails").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("skate on thin ice").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("skate on thin ice", &h));
        assert!(!verify_password("skate on thick ice", &h));
        assert!(!verify_password("anything", decoy_hash()));
    }
}
