//! `application_confirmation`: someone applied with an address the city
//! already knows. The email goes to that address (in its owner's language,
//! with their stored name), never to whoever typed it, and carries the
//! single-use link that makes the application count, sealed like an
//! invitation's (see [`super::accounts`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use soi_auth::Sealer;
use soi_core::EnrollmentId;
use soi_db::mail::outbox;
use soi_db::program::participants::Participant;
use soi_db::{Result, TenantTx};

pub const APPLICATION_CONFIRMATION: &str = "application_confirmation";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationConfirmation {
    pub first_name: String,
    pub season_title: String,
    pub expires_at: DateTime<Utc>,
    pub sealed_link: String,
}

/// Enqueues the confirmation email. Key:
/// `application_confirmation:<request id>` (each request its own email).
pub async fn application_confirmation(
    tx: &mut TenantTx,
    sealer: &Sealer,
    request: EnrollmentId,
    who: &Participant,
    season_title: &str,
    expires_at: DateTime<Utc>,
    link: &str,
) -> Result<()> {
    let payload = super::json(ApplicationConfirmation {
        first_name: who.first_name.clone(),
        season_title: season_title.to_owned(),
        expires_at,
        sealed_link: super::accounts::seal(sealer, link, APPLICATION_CONFIRMATION, &who.email)?,
    })?;
    let key = format!("{APPLICATION_CONFIRMATION}:{request}");
    outbox::enqueue(
        tx,
        APPLICATION_CONFIRMATION,
        &key,
        &who.email,
        who.preferred_language,
        &payload,
    )
    .await?;
    Ok(())
}
