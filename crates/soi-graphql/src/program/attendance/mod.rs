//! Attendance: coaches record a whole session at once for their own groups;
//! staff read marks and rates, participants their own marks; a session's
//! marks can be watched live.

mod inputs;
mod mutation;
mod nodes;
mod query;
mod subscription;

pub use mutation::AttendanceMutation;
pub use query::AttendanceQuery;
pub use subscription::AttendanceSubscription;
