//! Applying to a season, deciding, withdrawing. Every path that takes or
//! frees a seat first locks the season row, so the seats of one season are
//! counted one decision at a time and capacity holds under any concurrency.

use soi_core::program::{EnrollmentStatus, SeasonPhase};
use soi_core::{EnrollmentId, ParticipantId, SeasonId};
use soi_db::enrollments::{self, Enrollment};
use soi_db::participants::{self, NewParticipant};
use soi_db::{Error, Result, TenantTx, seasons};
use soi_mail::kinds::{self as mail, Decision};

/// A new application. A known email reuses its participant (their stored
/// details stay); a second application to one season is a `CONFLICT`. With
/// auto-accept on, a free seat accepts at once and a full season waitlists.
pub async fn apply(
    tx: &mut TenantTx,
    season: SeasonId,
    person: &NewParticipant,
    motivation: Option<&str>,
) -> Result<Enrollment> {
    let s = seasons::lock(tx, season).await?;
    if s.phase != SeasonPhase::Recruiting {
        return Err(Error::Conflict(
            "this season does not take applications now".into(),
        ));
    }
    let participant = match participants::by_email(tx, &person.email).await? {
        Some(p) => p.id,
        None => {
            participants::insert(tx, ParticipantId::new(), person)
                .await?
                .id
        }
    };
    if enrollments::of_participant(tx, season, participant)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(
            "you have applied to this season already".into(),
        ));
    }
    let mut enrollment =
        enrollments::apply(tx, EnrollmentId::new(), season, participant, motivation).await?;
    if s.auto_accept {
        let taken = enrollments::seats_taken(tx, season).await?;
        let next = if taken < i64::from(s.capacity) {
            EnrollmentStatus::Accepted
        } else {
            EnrollmentStatus::Waitlisted
        };
        enrollment = enrollments::set_status(tx, enrollment.id, next).await?;
    }
    mail::application_received(tx, &s, &enrollment).await?;
    Ok(enrollment)
}

/// An admin's decision. Accepting needs a free seat.
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

/// Withdraws an application. A freed seat goes to the longest-waiting
/// waitlisted applicant, who is returned too.
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
