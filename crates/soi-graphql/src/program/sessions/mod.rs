//! Training sessions: a group on a rink for a time. Chapter admins and
//! coaches schedule, move and cancel them, and read them.

mod inputs;
mod mutation;
mod nodes;
mod query;

pub use mutation::SessionMutation;
pub use query::SessionQuery;
