//! Key, bucket and channel names. Rule: no name exists without its [`Scope`], written as a
//! cluster hash tag right after the prefix (`{city:<uuid>}` or `{national}`), so two cities
//! never collide and every key of one scope lives in one cluster slot.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Which city a key belongs to, or the national level; every key, bucket and channel has one
/// so tenant data can never be mixed up in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Data of one city.
    City(Uuid),
    /// Data that aggregates all cities.
    National,
}

impl Scope {
    /// The cluster hash tag of this scope, e.g. `{city:<uuid>}`.
    pub(crate) fn tag(self) -> String {
        match self {
            Self::City(id) => format!("{{city:{id}}}"),
            Self::National => "{national}".to_owned(),
        }
    }
}

/// A cache key; built only by [`Key::new`] so it always holds the scope and the role allowed
/// to read it. The Redis key is `<prefix>:` followed by [`Key::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    scope: Scope,
    name: String,
}

impl Key {
    /// Builds `{<scope>}:<kind>:<role>:<sha256 of parts>`. Parts are hashed (length-prefixed,
    /// so `["a:b"]` and `["a", "b"]` differ), which keeps keys short and free of personal data.
    pub fn new(scope: Scope, kind: &str, role: &str, parts: &[&str]) -> Self {
        let name = format!(
            "{}:{}:{}:{}",
            scope.tag(),
            segment(kind),
            segment(role),
            hash_parts(parts)
        );
        Self { scope, name }
    }

    /// The key without the deployment prefix, for logs and tests.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The scope the key was built for, so callers can check it against the request's city.
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

/// SHA-256 of `query` as 64 lowercase hex digits: the hash Apollo clients send for persisted
/// queries, and how subjects of rate limits are kept out of Redis in clear.
pub fn sha256_hex(query: &str) -> String {
    format!("{:x}", Sha256::digest(query.as_bytes()))
}

/// Hash of a list of parts, unambiguous about where one part ends.
fn hash_parts(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    format!("{:x}", hasher.finalize())
}

/// A name segment written literally when it is plain (`[A-Za-z0-9_-]`) and percent-encoded
/// otherwise, so a kind or role can never inject `:` or a hash tag, and encoding stays injective.
pub(crate) fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn segment_encodes_separators_and_braces() {
        assert_eq!(segment("coach"), "coach");
        assert_eq!(segment("a:b{c}"), "a%3Ab%7Bc%7D");
        assert_ne!(segment("a_b"), segment("a.b"));
    }

    #[test]
    fn parts_boundaries_change_the_hash() {
        assert_ne!(hash_parts(&["a:b"]), hash_parts(&["a", "b"]));
        assert_ne!(hash_parts(&["ab", ""]), hash_parts(&["a", "b"]));
    }

    #[test]
    fn sha256_hex_matches_known_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
