//! Withdrawing an application; a freed seat promotes the waitlist.

use soi_core::EnrollmentId;
use soi_core::states::{EnrollmentStatus, SeasonPhase};
use soi_db::program::enrollments::{self, Enrollment};
use soi_db::program::seasons;
use soi_db::{Result, TenantTx};
use soi_mail::kinds::{self as mail, Decision};

/// Withdraws an application. A freed seat goes to the longest-waiting
/// waitlisted applicant, who is returned too (and told by email).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn withdraw(
    tx: &mut TenantTx,
    id: EnrollmentId,
) -> Result<(Enrollment, Option<Enrollment>)> {
    let current = enrollments::get(tx, id).await?;
    let s = seasons::lock(tx, current.season_id).await?;
    let withdrawn = enrollments::set_status(tx, id, EnrollmentStatus::Withdrawn).await?;
    let mut promoted = None;
    if current.status.holds_seat() && s.phase != SeasonPhase::Closed {
        let taken = enrollments::seats_taken(tx, s.id).await?;
        if taken < i64::from(s.capacity)
            && let Some(next) = enrollments::first_waitlisted(tx, s.id).await?
        {
            let accepted = enrollments::set_status(tx, next.id, EnrollmentStatus::Accepted).await?;
            mail::application_decided(tx, &s, &accepted, Decision::Promoted).await?;
            promoted = Some(accepted);
        }
    }
    Ok((withdrawn, promoted))
}
