//! Rinks, the city's venues: staff read them, chapter admins add them.

mod inputs;
mod mutation;
mod nodes;
mod query;

pub use mutation::RinkMutation;
pub use nodes::RinkNode;
pub use query::RinkQuery;
