//! Training groups of a season: staff read them, chapter admins create
//! them, add members and assign coaches.

mod mutation;
mod nodes;
mod query;

pub use mutation::GroupMutation;
pub use query::GroupQuery;
