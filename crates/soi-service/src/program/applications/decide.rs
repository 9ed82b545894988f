//! An admin's decision on an application, and the applicant's email.

use soi_core::EnrollmentId;
use soi_core::states::EnrollmentStatus;
use soi_db::program::enrollments::{self, Enrollment};
use soi_db::program::seasons;
use soi_db::{Error, Result, TenantTx};
use soi_mail::kinds::{self as mail, Decision};

/// An admin's decision. Accepting needs a free seat.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn decide(
    tx: &mut TenantTx,
    id: EnrollmentId,
    next: EnrollmentStatus,
) -> Result<Enrollment> {
    let current = enrollments::get(tx, id).await?;
    let s = seasons::lock(tx, current.season_id).await?;
    if next == EnrollmentStatus::Accepted {
        let taken = enrollments::seats_taken(tx, s.id).await?;
        if taken >= i64::from(s.capacity) {
            return Err(Error::Conflict(format!(
                "the season is full ({} of {} seats)",
                taken, s.capacity
            )));
        }
    }
    let decided = enrollments::set_status(tx, id, next).await?;
    if let Some(decision) = Decision::of(next) {
        mail::application_decided(tx, &s, &decided, decision).await?;
    }
    Ok(decided)
}
