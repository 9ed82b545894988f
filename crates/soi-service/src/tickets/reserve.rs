//! Reserving: seats of a published, future event held for a buyer.
//!
//! Never oversold: a seat is taken only by `soi_db::tickets::seats::take`,
//! a conditional UPDATE of one of the type's seat buckets (or, when no one
//! bucket has room, of as many as the seats need, all locked in order), held
//! until commit. Ticket types are taken in id order (deadlock-free); lapsed
//! holds of the event are released first, skipping holds another
//! transaction has locked.

use soi_core::states::EventStatus;
use soi_core::{EventId, InputError, OrderId, TicketTypeId};
use soi_db::events::events;
use soi_db::tickets::orders::{self, Buyer, Order};
use soi_db::tickets::{order_lines, seats, ticket_types, tickets};
use soi_db::{Error, Result, TenantTx};

/// A new hold, with the access key the buyer fetches their tickets with.
/// Only its SHA-256 is stored: this is the one time it is known.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub order: Order,
    /// The lines with their ticket types' names.
    pub lines: Vec<(order_lines::Line, String)>,
    pub access_key: String,
}

/// Holds seats of a published, future event for the buyer. Lapsed holds of
/// the event are released first (their seats count as free); then each type
/// is taken in id order, and a type without enough seats fails the whole
/// reservation with `CONFLICT` (the transaction rolls back).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn reserve(
    tx: &mut TenantTx,
    event: EventId,
    buyer: &Buyer,
    lines: &[(TicketTypeId, i32)],
) -> Result<Reserved> {
    orders::validate_lines(lines)?;
    let ev = events::get(tx, event).await?;
    if ev.status != EventStatus::Published {
        return Err(Error::Conflict("event is not on sale".into()));
    }
    if ev.starts_at <= chrono::Utc::now() {
        return Err(Error::Conflict("the event has already begun".into()));
    }
    let types = ticket_types::list_for_event(tx, event).await?;
    let mut wanted = Vec::with_capacity(lines.len());
    for (id, q) in lines {
        let t = types
            .iter()
            .find(|t| t.id == *id)
            .ok_or(Error::NotFound("ticket type"))?;
        wanted.push((t, *q));
    }
    wanted.sort_by_key(|(t, _)| t.id);
    let total = wanted
        .iter()
        .try_fold(0i64, |sum, (t, q)| {
            t.price_tiyn
                .checked_mul(i64::from(*q))
                .and_then(|v| sum.checked_add(v))
        })
        .ok_or_else(|| InputError::new("items", "the total is too large"))?;
    let ids: Vec<TicketTypeId> = wanted.iter().map(|(t, _)| t.id).collect();
    seats::release_lapsed(tx, event, &ids).await?;

    let id = OrderId::new();
    let access_key = tickets::random_code()?;
    let order = orders::insert(tx, id, event, buyer, (total, ev.hold_minutes), &access_key).await?;
    let priced: Vec<(TicketTypeId, i32, i64)> = wanted
        .iter()
        .map(|(t, q)| (t.id, *q, t.price_tiyn))
        .collect();
    let saved = order_lines::insert(tx, id, &priced).await?;
    // Last, so the seat buckets stay locked for as short a time as can be.
    for (t, q) in &wanted {
        seats::take(tx, (t.id, &t.name), *q).await?;
    }
    let lines = saved
        .into_iter()
        .map(|l| {
            let name = wanted
                .iter()
                .find(|(t, _)| t.id == l.ticket_type_id)
                .map(|(t, _)| t.name.clone())
                .unwrap_or_default();
            (l, name)
        })
        .collect();
    Ok(Reserved {
        order,
        lines,
        access_key,
    })
}
