//! Applying to a season, deciding, withdrawing. Every path that takes or
//! frees a seat first locks the season row, so the seats of one season are
//! counted one decision at a time and capacity holds under any concurrency.
//! Each enqueues the applicant's email in the same transaction.

mod apply;
mod confirm;
mod decide;
mod withdraw;

pub use apply::{Applied, CONFIRMATION_TTL, apply};
pub use confirm::{Confirmed, confirm};
pub use decide::decide;
pub use withdraw::withdraw;
