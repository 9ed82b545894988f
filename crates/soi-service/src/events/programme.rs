//! Changes to an event's programme: partners, numbers and who performs in
//! them. Each locks the event first and is refused (`CONFLICT`) once the
//! event is done, so two admins editing one programme run one after another.

use soi_core::{EventId, ParticipantId, PartnerId, PerformanceId};
use soi_db::events::event_partners::{self, NewPartner, Partner};
use soi_db::events::events;
use soi_db::events::performances::{self, NewPerformance, Performance};
use soi_db::events::performers::{self, Performer};
use soi_db::{Result, TenantTx};

/// Adds a partner to an event that is not done; the name is unique per event.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn add_partner(
    tx: &mut TenantTx,
    id: PartnerId,
    event: EventId,
    p: &NewPartner,
) -> Result<Partner> {
    events::lock_editable(tx, event).await?;
    event_partners::insert(tx, id, event, p).await
}

/// Removes a partner of an event that is not done; returns what was removed.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn remove_partner(tx: &mut TenantTx, id: PartnerId) -> Result<Partner> {
    let partner = event_partners::get(tx, id).await?;
    events::lock_editable(tx, partner.event_id).await?;
    event_partners::delete(tx, id).await?;
    Ok(partner)
}

/// Adds a number at the end of the running order.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn add_number(
    tx: &mut TenantTx,
    id: PerformanceId,
    event: EventId,
    p: &NewPerformance,
) -> Result<Performance> {
    events::lock_editable(tx, event).await?;
    performances::insert(tx, id, event, p).await
}

/// Replaces a number's title, social issue and music.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn update_number(
    tx: &mut TenantTx,
    id: PerformanceId,
    p: &NewPerformance,
) -> Result<Performance> {
    editable_number(tx, id).await?;
    performances::update(tx, id, p).await
}

/// Removes a number (its performers and marks go with it) and closes the
/// gap in the running order; returns what was removed.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn delete_number(tx: &mut TenantTx, id: PerformanceId) -> Result<Performance> {
    let p = editable_number(tx, id).await?;
    performances::delete(tx, &p).await?;
    Ok(p)
}

/// Puts the event's numbers in the given order, each exactly once
/// (`BAD_USER_INPUT` on `performanceIds` otherwise); returns them in it.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn reorder_numbers(
    tx: &mut TenantTx,
    event: EventId,
    order: &[PerformanceId],
) -> Result<Vec<Performance>> {
    events::lock_editable(tx, event).await?;
    performances::reorder(tx, event, order).await
}

/// Replaces the performers of a number (repeats are ignored). An unknown
/// participant is `NOT_FOUND` and leaves the old list in place (the caller's
/// transaction rolls back).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn set_performers(
    tx: &mut TenantTx,
    performance: PerformanceId,
    people: &[ParticipantId],
) -> Result<Vec<Performer>> {
    editable_number(tx, performance).await?;
    performers::set(tx, performance, people).await
}

/// The number, with its event locked; `CONFLICT` once the event is done.
async fn editable_number(tx: &mut TenantTx, id: PerformanceId) -> Result<Performance> {
    let p = performances::get(tx, id).await?;
    events::lock_editable(tx, p.event_id).await?;
    Ok(p)
}
