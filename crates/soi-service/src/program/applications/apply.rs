//! A new application, and the applicant's "received" email.
//!
//! The public form must not tell whether an address is known to the city,
//! and must not let whoever types a known address act for its owner. So a
//! new address applies at once, while a known one only gets an email with a
//! single-use link (see [`super::confirm`]): the answer is an application id
//! either way, and nothing of the known person's record changes until the
//! owner confirms.

use crate::auth::{Links, new_token};
use chrono::{Duration, Utc};
use soi_core::states::{ConsentMethod, EnrollmentStatus, SeasonPhase};
use soi_core::{EnrollmentId, ParticipantId, SeasonId};
use soi_db::program::application_requests::{self, NewApplicationRequest};
use soi_db::program::enrollments::{self, Enrollment};
use soi_db::program::participants::{self, Consent, NewParticipant};
use soi_db::program::seasons::{self, Season};
use soi_db::{Error, Result, TenantTx};
use soi_mail::kinds as mail;

/// How long the link confirming a known address's application works.
pub const CONFIRMATION_TTL: Duration = Duration::hours(72);

/// A public application. The id is the application's: at once for a new
/// address; for a known one, the id the application takes when its owner
/// confirms it. Callers answer only the id, so both read the same.
#[derive(Debug, Clone)]
pub enum Applied {
    /// A new address: the application exists (and is decided at once when
    /// the season accepts automatically).
    Now(Enrollment),
    /// A known address: a confirmation link went to it.
    AwaitingConfirmation(EnrollmentId),
}

impl Applied {
    pub fn id(&self) -> EnrollmentId {
        match self {
            Applied::Now(e) => e.id,
            Applied::AwaitingConfirmation(id) => *id,
        }
    }
}

/// A new application from the public form. `city_slug` goes into the
/// confirmation link.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn apply(
    tx: &mut TenantTx,
    links: &Links,
    city_slug: &str,
    season: SeasonId,
    person: &NewParticipant,
    motivation: Option<&str>,
) -> Result<Applied> {
    let s = recruiting(tx, season).await?;
    let Some(known) = participants::by_email(tx, &person.email).await? else {
        let participant = participants::insert(tx, ParticipantId::new(), person).await?;
        let consent = &person.consent;
        let e = enroll(
            tx,
            &s,
            EnrollmentId::new(),
            participant.id,
            motivation,
            consent,
        )
        .await?;
        return Ok(Applied::Now(e));
    };
    // A known address: whatever the form says (a second application to the
    // season included) is for the owner to confirm; the stranger learns
    // nothing and changes nothing.
    let id = EnrollmentId::new();
    let (token, token_hash) = new_token()?;
    let expires_at = Utc::now() + CONFIRMATION_TTL;
    let request = NewApplicationRequest {
        id,
        season,
        participant: known.id,
        token_hash: &token_hash,
        motivation,
        consent_text_version: &person.consent.text_version,
        expires_at,
    };
    application_requests::replace(tx, &request).await?;
    let link = links.application_confirmation(city_slug, &token);
    mail::application_confirmation(tx, &links.sealer, id, &known, &s.title, expires_at, &link)
        .await?;
    Ok(Applied::AwaitingConfirmation(id))
}

/// The season, locked, if it takes applications now.
pub(super) async fn recruiting(tx: &mut TenantTx, season: SeasonId) -> Result<Season> {
    let s = seasons::lock(tx, season).await?;
    if s.phase != SeasonPhase::Recruiting {
        return Err(Error::Conflict(
            "this season does not take applications now".into(),
        ));
    }
    Ok(s)
}

/// Records the application with its consent; with auto-accept on, a free
/// seat accepts at once and a full season waitlists. Emails the applicant.
pub(super) async fn enroll(
    tx: &mut TenantTx,
    s: &Season,
    id: EnrollmentId,
    participant: ParticipantId,
    motivation: Option<&str>,
    consent: &Consent,
) -> Result<Enrollment> {
    if enrollments::of_participant(tx, s.id, participant)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(
            "you have applied to this season already".into(),
        ));
    }
    let mut enrollment = enrollments::apply(tx, id, s.id, participant, motivation, consent).await?;
    if s.auto_accept {
        let taken = enrollments::seats_taken(tx, s.id).await?;
        let next = if taken < i64::from(s.capacity) {
            EnrollmentStatus::Accepted
        } else {
            EnrollmentStatus::Waitlisted
        };
        enrollment = enrollments::set_status(tx, enrollment.id, next).await?;
    }
    mail::application_received(tx, s, &enrollment).await?;
    Ok(enrollment)
}

/// The consent a confirmation records: given when the owner confirmed, to
/// the text version the form showed.
pub(super) fn confirmed_consent(text_version: String) -> Consent {
    Consent {
        given_at: Utc::now(),
        text_version,
        method: ConsentMethod::WebForm,
    }
}
