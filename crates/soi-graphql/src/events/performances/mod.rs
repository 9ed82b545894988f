//! An event's programme: its numbers in running order, who skates in them,
//! and judges' marks with the results. Chapter admins change it; staff read
//! it through the event.

mod inputs;
mod mutation;
mod nodes;

pub use mutation::PerformanceMutation;
pub use nodes::{PerformanceNode, PerformanceResult, assemble};
