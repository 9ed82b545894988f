//! The ticket types an event sells, changed only while the event may change
//! (draft or published): each change locks the event first, so it
//! serializes with status changes.

use soi_core::{EventId, TicketTypeId};
use soi_db::events::events;
use soi_db::tickets::seats;
use soi_db::tickets::ticket_types::{self, TicketType};
use soi_db::{Result, TenantTx};

/// Adds a ticket type to a draft or published event; the name is unique per
/// event (`CONFLICT`).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn add_ticket_type(
    tx: &mut TenantTx,
    id: TicketTypeId,
    event: EventId,
    name: &str,
    price_tiyn: i64,
    quota: i32,
) -> Result<TicketType> {
    ticket_types::check_price(price_tiyn)?;
    ticket_types::check_quota(quota)?;
    events::lock_editable(tx, event).await?;
    let added = ticket_types::insert(tx, id, event, name, price_tiyn, quota).await?;
    seats::split(tx, id, quota).await?;
    Ok(added)
}

/// Changes the quota of a ticket type of an editable event; it may not drop
/// below the seats taken (`CONFLICT`). The seat buckets are split anew.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn set_quota(tx: &mut TenantTx, id: TicketTypeId, quota: i32) -> Result<TicketType> {
    ticket_types::check_quota(quota)?;
    let current = ticket_types::get(tx, id).await?;
    events::lock_editable(tx, current.event_id).await?;
    seats::split(tx, id, quota).await?;
    ticket_types::set_quota(tx, id, quota).await
}
