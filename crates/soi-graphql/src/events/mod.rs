//! Events of a season (ice show or competition): staff read them, chapter
//! admins prepare them, their tickets and partners, and anyone sees the
//! published ones (`public`). An event's numbers are a feature of their
//! own (`performances`).

mod inputs;
mod mutation;
mod nodes;
mod performances;
mod public;
mod query;

pub use mutation::EventMutation;
pub use performances::PerformanceMutation;
pub use public::EventPublicQuery;
pub use query::EventQuery;
