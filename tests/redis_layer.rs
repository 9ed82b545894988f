//! The Redis layer through the gateway: persisted queries, rate limits,
//! live updates across gateway processes, and a Redis outage under load.

mod live;
mod persisted_queries;
mod redis_fault;
