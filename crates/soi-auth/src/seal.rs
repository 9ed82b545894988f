//! Sealed secrets: a single-use token (an invitation's, a password reset's)
//! must reach the mail worker through the outbox, but the database is to
//! hold tokens only as hashes. So the outbox row carries the token sealed
//! (ChaCha20-Poly1305 under a key derived from the server secret, a fresh
//! random nonce each time) and only the worker, holding the same secret,
//! opens it to write the link. Someone who reads the outbox — an admin
//! looking at parked mail, a backup — learns nothing usable.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// The key is derived from `secret` (the server's token secret) for this
    /// one purpose, so it is never the key that signs access tokens.
    pub fn new(secret: &SecretString) -> Self {
        let mut mac =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"soi-platform mail seal v1");
        let key = mac.finalize().into_bytes();
        Self {
            cipher: ChaCha20Poly1305::new(&key),
        }
    }

    /// `plain` sealed: base64 of nonce and ciphertext.
    pub fn seal(&self, plain: &str) -> Option<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).ok()?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(B64.encode(out))
    }

    /// The secret a [`Sealer::seal`] with the same key made; `None` when the
    /// text was sealed under another key or changed.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed.trim()).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, body) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_under_their_key_and_unchanged() {
        let a = Sealer::new(&SecretString::from(
            "one secret, long enough to use".to_owned(),
        ));
        let b = Sealer::new(&SecretString::from(
            "another secret, just as long".to_owned(),
        ));
        let sealed = a.seal("token-123").expect("seal");
        assert_ne!(
            sealed,
            a.seal("token-123").expect("seal"),
            "a fresh nonce each time"
        );
        assert!(!sealed.contains("token-123"));
        assert_eq!(a.open(&sealed).as_deref(), Some("token-123"));
        assert_eq!(b.open(&sealed), None);
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(a.open(&String::from_utf8(tampered).expect("ascii")), None);
        assert_eq!(a.open("short"), None);
    }
}
