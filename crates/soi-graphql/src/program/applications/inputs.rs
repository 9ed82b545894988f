//! What an admin decides on an application.

use async_graphql::Enum;
use soi_core::states::EnrollmentStatus;

/// An admin's decision on an application.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give a seat (needs a free one).
    Accept,
    /// Put on the waitlist.
    Waitlist,
    /// Decline.
    Reject,
}

impl Decision {
    /// The status the decision moves an application to.
    pub fn status(self) -> EnrollmentStatus {
        match self {
            Decision::Accept => EnrollmentStatus::Accepted,
            Decision::Waitlist => EnrollmentStatus::Waitlisted,
            Decision::Reject => EnrollmentStatus::Rejected,
        }
    }
}
