//! The Redis layer through the gateway: persisted queries and rate limits,
//! the report cache, live updates across gateway processes, and a Redis
//! outage under load. Every test keys its Redis data by its own database's
//! name (see `TestApp`), so tests share the one Redis safely.

mod live;
mod namespace;
mod outage;
mod persisted_queries;
mod persisted_query_bounds;
mod report_cache;
mod trusted_proxies;
