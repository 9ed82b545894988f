//! Erasure on request (or when due): one transaction replaces a person's
//! personal fields everywhere the city holds them.

use soi_core::ParticipantId;
use soi_db::auth::accounts;
use soi_db::mail::{email_preferences, outbox, unsubscribe_links};
use soi_db::program::{
    application_requests, enrollments, group_members, participant_privacy, skill_assessments,
};
use soi_db::tickets::orders;
use soi_db::{Result, TenantTx};

/// What an erasure changed (counts only: it names nobody).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erasure {
    /// False when the person had been erased before (nothing changed).
    pub erased: bool,
    pub account: bool,
    pub ticket_orders: u64,
    pub emails_deleted: u64,
    pub emails_scrubbed: u64,
}

/// Erases a participant in the caller's transaction: their own row (names,
/// address, phone, university, birth date, guardian), their account and
/// invitations (placeholder address, disabled, sessions ended), their
/// applications' motivation, coaches' notes on their skills, the buyer of
/// orders bought with their address, their unsent emails (deleted) and sent
/// ones (address and payload removed), their unsubscribe links (revoked,
/// address removed) and choices (deleted), and their group memberships.
/// Performers' names are the participant's, so they go with the row.
///
/// Kept: every id, status, date, mark and amount, so no figure moves, and
/// the audit log (ids only). Idempotent: erasing again changes nothing.
/// Needs an admin's or system work's scope (the database refuses others).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn erase(tx: &mut TenantTx, id: ParticipantId) -> Result<Erasure> {
    let row = participant_privacy::lock(tx, id).await?;
    if row.erased_at.is_some() {
        return Ok(Erasure::default());
    }
    let email = row.email;
    let account = accounts::erase_of_participant(tx, id).await?;
    let ticket_orders = orders::erase_buyer(tx, &email).await?;
    let (emails_deleted, emails_scrubbed) = outbox::erase_recipient(tx, &email).await?;
    unsubscribe_links::revoke(tx, &email).await?;
    unsubscribe_links::forget(tx, &email).await?;
    email_preferences::forget(tx, &email).await?;
    enrollments::erase_motivations(tx, id).await?;
    application_requests::delete_of_participant(tx, id).await?;
    skill_assessments::erase_notes(tx, id).await?;
    group_members::remove_participant(tx, id).await?;
    let erased = participant_privacy::erase(tx, id).await?;
    Ok(Erasure {
        erased,
        account,
        ticket_orders,
        emails_deleted,
        emails_scrubbed,
    })
}
