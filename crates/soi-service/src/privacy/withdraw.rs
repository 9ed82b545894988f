//! Withdrawing consent: the person's processing stops now, their erasure is
//! due after the grace period.

use super::Policy;
use crate::program::applications;
use chrono::Utc;
use soi_core::ParticipantId;
use soi_db::mail::unsubscribe_links;
use soi_db::program::enrollments::Enrollment;
use soi_db::program::participants::{self, Participant};
use soi_db::program::{group_members, participant_privacy};
use soi_db::{Error, Result, TenantTx};

/// What a withdrawal did.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// The participant as now recorded (withdrawal and erasure times set).
    pub participant: Participant,
    /// Applications this withdrawal ended (none when repeated).
    pub withdrawn: Vec<Enrollment>,
    /// Applicants the freed seats went to (told by email).
    pub promoted: Vec<Enrollment>,
}

/// Records that the participant withdrew consent, with erasure due at now +
/// the grace period. Repeating it changes nothing (the first times stay). An
/// erased person is `NOT_FOUND`: nobody is left to withdraw.
///
/// Their open applications (applied, accepted, waitlisted, active) are
/// withdrawn, through the same flow as a withdrawn application, so a freed
/// seat goes to the waitlist: a person whose data may no longer be processed
/// cannot be decided on, trained, marked or emailed, and holding their seat
/// until the erasure would keep someone else out. Finished ones (completed,
/// rejected) stay as they are: they are what the figures count. They leave
/// their groups (coaches' lists), their unsubscribe link is revoked, and
/// the confirmation is emailed (the one email the law still requires).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn withdraw_consent(
    tx: &mut TenantTx,
    policy: &Policy,
    id: ParticipantId,
) -> Result<Withdrawal> {
    let row = participant_privacy::lock(tx, id).await?;
    if row.erased_at.is_some() {
        return Err(Error::NotFound("participant"));
    }
    let mut withdrawal = Withdrawal {
        participant: participants::get(tx, id).await?,
        withdrawn: Vec::new(),
        promoted: Vec::new(),
    };
    if row.consent_withdrawn_at.is_some() {
        return Ok(withdrawal);
    }
    participant_privacy::withdraw_consent(tx, id, Utc::now() + policy.erasure_grace).await?;
    for open in soi_db::program::enrollments::open_of_participant(tx, id).await? {
        let (withdrawn, promoted) = applications::withdraw(tx, open.id).await?;
        withdrawal.withdrawn.push(withdrawn);
        withdrawal.promoted.extend(promoted);
    }
    group_members::remove_participant(tx, id).await?;
    unsubscribe_links::revoke(tx, &row.email).await?;
    withdrawal.participant = participants::get(tx, id).await?;
    soi_mail::kinds::consent_withdrawn(tx, &withdrawal.participant).await?;
    Ok(withdrawal)
}
