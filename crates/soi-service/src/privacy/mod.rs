//! Personal data (Law No. 94-V): withdrawing consent, erasure, and the
//! retention schedule that erases what is no longer needed. One home for
//! each flow, called by GraphQL, the `soi` CLI, the worker and the tests.
//!
//! Erasure replaces a person's personal fields in place and keeps every row
//! with its ids, statuses, dates and amounts, so every rollup, report,
//! ledger balance and transparency figure is exactly what it was (a
//! property test holds this: `tests/props/erasure.rs`).

mod erase;
mod retention;
mod withdraw;

pub use erase::{Erasure, erase};
pub use retention::{Retained, run_retention, run_retention_in_city, run_schedule};
pub use withdraw::{Withdrawal, withdraw_consent};

use chrono::Duration;

/// The periods of the personal-data rules; the README's configuration
/// section lists their variables.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `SOI_ERASURE_GRACE_DAYS`: from a withdrawal of consent to erasure
    /// (time to take back a withdrawal made by mistake or by someone else).
    pub erasure_grace: Duration,
    /// `SOI_RETENTION_APPLICANT_DAYS`: applicants never accepted are erased
    /// this long after their last application or its decision.
    pub applicants: Duration,
    /// `SOI_RETENTION_PARTICIPANT_DAYS`: participants are erased this long
    /// after the end of the last of their seasons, once all are closed.
    pub participants: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            erasure_grace: Duration::days(30),
            applicants: Duration::days(365),
            participants: Duration::days(3 * 365),
        }
    }
}
