//! A new application, and the applicant's "received" email.

use soi_core::states::{EnrollmentStatus, SeasonPhase};
use soi_core::{EnrollmentId, ParticipantId, SeasonId};
use soi_db::program::enrollments::{self, Enrollment};
use soi_db::program::participants::{self, NewParticipant};
use soi_db::program::seasons;
use soi_db::{Error, Result, TenantTx};
use soi_mail::kinds as mail;

/// A new application. A known email reuses its participant (their stored
/// details stay); a second application to one season is a `CONFLICT`. With
/// auto-accept on, a free seat accepts at once and a full season waitlists.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
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
