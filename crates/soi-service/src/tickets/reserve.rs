//! Reserving: seats of a published, future event held for a buyer.
//!
//! Never oversold: a seat is taken only by `soi_db::tickets::seats::take`,
//! a conditional UPDATE of one of the type's seat buckets (or, when no one
//! bucket has room, of as many as the seats need, all locked in order), held
//! until commit. Ticket types are taken in id order (deadlock-free); when a
//! wanted type has lapsed holds, the event's lapsed holds of the wanted types
//! are released after the order's insert and before the seats are taken,
//! skipping holds another transaction has locked.

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

/// Holds seats of a published, future event for the buyer. When a wanted
/// type has lapsed holds, up to a batch of the event's lapsed holds of the
/// wanted types are released before the seats are taken (their seats count
/// as free); then each type
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
    // The event's own state is checked by the order's insert below; it is
    // read here only to say why a reservation cannot be made.
    let types = ticket_types::list_with_remaining(tx, event).await?;
    let mut wanted = Vec::with_capacity(lines.len());
    // Whether a wanted type has seats of lapsed holds not yet given back:
    // `remaining` counts them as free, `taken` still holds them.
    let mut lapsed = false;
    for (id, q) in lines {
        let Some(t) = types.iter().find(|t| t.ticket_type.id == *id) else {
            return Err(not_on_sale(tx, event)
                .await
                .unwrap_or(Error::NotFound("ticket type")));
        };
        // Fewer seats left than asked, lapsed holds' seats counted as free,
        // as this statement saw them: refused before anything is written or
        // locked (after a sell-out, most of a rush's requests end here).
        // An event off sale says so first.
        if t.remaining < i64::from(*q) {
            return Err(not_on_sale(tx, event)
                .await
                .unwrap_or_else(|| seats::sold_out(&t.ticket_type.name, t.remaining)));
        }
        lapsed |= t.remaining > i64::from(t.ticket_type.quota - t.ticket_type.taken);
        wanted.push((&t.ticket_type, *q));
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
    let id = OrderId::new();
    let access_key = tickets::random_code()?;
    let priced: Vec<(TicketTypeId, i32, i64)> = wanted
        .iter()
        .map(|(t, q)| (t.id, *q, t.price_tiyn))
        .collect();
    let Some(order) =
        orders::insert_if_on_sale(tx, id, event, buyer, (total, &access_key), &priced).await?
    else {
        return Err(not_on_sale(tx, event)
            .await
            .unwrap_or_else(|| Error::Conflict("event is not on sale".into())));
    };
    // After the order's insert, whose foreign key share-locks the event: the
    // event before seat buckets, as a quota change takes them (the event
    // locked to edit, then its buckets), so the two never wait in a circle.
    // Only when a wanted type has lapsed holds' seats (as the read above
    // saw them): in a rush nothing has lapsed yet, and the lookup is a
    // statement per buyer. Other types' lapsed holds wait for their own
    // buyers or the sweeper; their seats are counted as free meanwhile.
    // The lines' insert above key-share-locks the wanted types' rows: no
    // code deletes a ticket type or changes its key, and a quota change's
    // no-key update does not conflict with that lock, so it waits for none.
    if lapsed {
        let ids: Vec<TicketTypeId> = wanted.iter().map(|(t, _)| t.id).collect();
        seats::release_lapsed(tx, event, &ids).await?;
    }
    // Last, so the seat buckets stay locked for as short a time as can be.
    for (t, q) in &wanted {
        seats::take(tx, (t.id, &t.name), *q).await?;
    }
    let lines = wanted
        .iter()
        .map(|(t, q)| {
            let line = order_lines::Line {
                order_id: id,
                ticket_type_id: t.id,
                quantity: *q,
                unit_price_tiyn: t.price_tiyn,
            };
            (line, t.name.clone())
        })
        .collect();
    Ok(Reserved {
        order,
        lines,
        access_key,
    })
}

/// Why the event's tickets cannot be reserved: missing (`NOT_FOUND`), not
/// published, or begun (`CONFLICT`); `None` when it is on sale.
async fn not_on_sale(tx: &mut TenantTx, event: EventId) -> Option<Error> {
    let ev = match events::get(tx, event).await {
        Ok(ev) => ev,
        Err(e) => return Some(e),
    };
    if ev.status != EventStatus::Published {
        return Some(Error::Conflict("event is not on sale".into()));
    }
    if ev.starts_at <= chrono::Utc::now() {
        return Some(Error::Conflict("the event has already begun".into()));
    }
    None
}
