//! Coaches of the city's chapter and their certificates: staff read them,
//! chapter admins add them.

mod inputs;
mod mutation;
mod nodes;
mod query;

pub use mutation::CoachMutation;
pub use query::CoachQuery;
