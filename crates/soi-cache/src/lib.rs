//! The Redis layer of the SOI platform.
//!
//! Rule: Redis is an accelerator, never a dependency of correctness. Every operation here is
//! bounded by [`CacheOptions::op_timeout`], and while Redis is failing the layer answers at once
//! with a fallback (a cache miss, an in-process rate limit, a dropped publish) so that requests
//! go on against PostgreSQL. Every key carries its [`Scope`] as a cluster hash tag, so data of
//! two cities can never share a key.

mod apq;
mod cache;
mod client;
mod error;
mod health;
mod hub;
mod keys;
mod local_limiter;
mod prefix;
mod pubsub;
mod rate;

pub use apq::{ApqError, ApqOptions, PersistedQueries};
pub use cache::Cache;
pub use client::{CacheOptions, Redis, Stats};
pub use error::{Error, Unavailable};
pub use keys::{Key, Scope, sha256_hex};
pub use prefix::{count_prefixed, delete_prefixed};
pub use pubsub::{Channel, PubSub, RESYNC};
pub use rate::{Bucket, Limited, RateLimiter};
