//! Confirming an application made with a known address, by the single-use
//! link emailed to that address: only then does it become an application of
//! that person, with the consent given now.

use super::apply::{confirmed_consent, enroll, recruiting};
use chrono::Utc;
use soi_db::program::application_requests;
use soi_db::program::enrollments::Enrollment;
use soi_db::program::participants;
use soi_db::{Result, TenantTx};

/// What a confirmation link did.
#[derive(Debug, Clone)]
pub enum Confirmed {
    Application(Enrollment),
    /// No pending request has this token (never issued, replaced by a newer
    /// one, or confirmed already).
    Unknown,
    Expired,
}

/// Confirms the request the token names: records the application with the
/// consent given now (also as the person's latest consent) and emails the
/// usual "received". A closed season or a second application to it is a
/// `CONFLICT`, and the request stays for nothing: the transaction rolls back.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn confirm(tx: &mut TenantTx, token_hash: &[u8]) -> Result<Confirmed> {
    let Some(request) = application_requests::take(tx, token_hash).await? else {
        return Ok(Confirmed::Unknown);
    };
    if request.expires_at <= Utc::now() {
        return Ok(Confirmed::Expired);
    }
    let s = recruiting(tx, request.season_id).await?;
    let consent = confirmed_consent(request.consent_text_version);
    let motivation = request.motivation.as_deref();
    let who = request.participant_id;
    let e = enroll(tx, &s, request.id, who, motivation, &consent).await?;
    participants::record_consent(tx, who, &consent).await?;
    Ok(Confirmed::Application(e))
}
