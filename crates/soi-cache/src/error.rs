//! Errors of the Redis layer. Only construction can fail; at request time Redis trouble is
//! reported as [`Unavailable`] so callers fall back instead of failing the request.

/// Why a [`crate::Redis`] handle could not be built; a boot-time configuration error
/// (the server refuses to start, it never reaches a client).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Redis URL does not parse.
    #[error("invalid Redis URL")]
    InvalidUrl(#[source] redis::RedisError),
    /// The key prefix is empty or holds `{`, `}`, `:` or whitespace, which would break the
    /// cluster hash tag that follows it.
    #[error("invalid key prefix {0:?}: use letters, digits, '-' or '_'")]
    InvalidPrefix(String),
    /// Built outside a Tokio runtime: the background connection needs one.
    #[error("soi-cache must be started inside a Tokio runtime")]
    NoRuntime,
}

/// Redis did not answer (down, timed out or failing): the caller takes its fallback path.
/// Never shown to a client; the gateway serves from PostgreSQL instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("redis unavailable")]
pub struct Unavailable;
