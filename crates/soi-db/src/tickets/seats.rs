//! Seats taken and given back: the only code that moves
//! `ticket_types.taken`. Every query runs inside a [`TenantTx`] and names
//! `city_id = $1` on each city table.
//!
//! Lock order, the same everywhere, so no two writers wait on each other in
//! a circle: an order row (the one being changed, or holds found with
//! `skip locked`, which never waits), then ticket types in id order, then
//! the city's ledger.

use super::OrderStatus;
use crate::TracedConn;
use crate::{Error, Result, TenantTx};
use soi_core::{EventId, OrderId, TicketTypeId};
use uuid::Uuid;

/// Holds released in one go by a reservation; older ones wait for the next
/// reservation or the sweeper.
const LAPSED_PER_RESERVATION: i64 = 100;

/// Takes `q` seats of the ticket type `id` if that many are left; `CONFLICT`
/// naming the type (`name`) otherwise. The row stays locked until commit.
pub async fn take(tx: &mut TenantTx, (id, name): (TicketTypeId, &str), q: i32) -> Result<()> {
    let (city, conn) = tx.parts();
    let left: Option<i32> = sqlx::query_scalar(
        "update ticket_types set taken = taken + $3 \
         where city_id = $1 and id = $2 and taken + $3 <= quota returning quota - taken",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(q)
    .fetch_optional(&mut *conn)
    .await?;
    if left.is_some() {
        return Ok(());
    }
    let left: i32 = sqlx::query_scalar(
        "select greatest(quota - taken, 0) from ticket_types where city_id = $1 and id = $2",
    )
    .bind(city)
    .bind(id.as_uuid())
    .fetch_one(conn)
    .await?;
    Err(Error::Conflict(if left == 0 {
        format!("sold out: {name}")
    } else {
        format!("sold out: {name} (only {left} left)")
    }))
}

/// Locks ticket-type rows in id order, as the UPDATE of `taken` would
/// (`no key update`: inserts that only reference the type are not blocked).
async fn lock_types(conn: &mut TracedConn, city: Uuid, mut ids: Vec<Uuid>) -> Result<()> {
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("select id from ticket_types where city_id = $1 and id = any($2) order by id for no key update")
        .bind(city)
        .bind(ids)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the orders `ids` (already locked by this transaction) that are
/// still `from` to `to` and gives their seats back; `extra` ticket types are
/// locked with theirs (in one id-ordered pass). Returns the orders moved.
async fn close(
    conn: &mut TracedConn,
    city: Uuid,
    ids: &[Uuid],
    (from, to): (OrderStatus, OrderStatus),
    reason: Option<&str>,
    extra: &[Uuid],
) -> Result<Vec<Uuid>> {
    let mut types: Vec<Uuid> = sqlx::query_scalar(
        "select distinct ticket_type_id from ticket_order_lines where city_id = $1 and order_id = any($2)",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    types.extend_from_slice(extra);
    lock_types(conn, city, types).await?;
    Ok(sqlx::query_scalar(
        "with gone as ( \
             update ticket_orders set status = $4, closed_at = now(), closed_reason = $5 \
             where city_id = $1 and id = any($2) and status = $3 returning id), \
         seats as ( \
             select l.ticket_type_id, sum(l.quantity)::int as q from ticket_order_lines l \
             where l.city_id = $1 and l.order_id in (select id from gone) group by l.ticket_type_id), \
         back as ( \
             update ticket_types t set taken = t.taken - s.q from seats s \
             where t.city_id = $1 and t.id = s.ticket_type_id returning t.id) \
         select id from gone",
    )
    .bind(city)
    .bind(ids)
    .bind(from.code())
    .bind(to.code())
    .bind(reason)
    .fetch_all(conn)
    .await?)
}

/// Expires the event's lapsed holds (up to a batch) before a reservation of
/// the ticket types `also`, locking those types with the holds' types.
/// Holds another transaction has locked are skipped, not waited for.
pub async fn release_lapsed(
    tx: &mut TenantTx,
    event: EventId,
    also: &[TicketTypeId],
) -> Result<u64> {
    let also: Vec<Uuid> = also.iter().map(TicketTypeId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let lapsed: Vec<Uuid> = sqlx::query_scalar(
        "select id from ticket_orders where city_id = $1 and event_id = $2 and status = 'held' \
         and expires_at <= now() order by expires_at limit $3 for update skip locked",
    )
    .bind(city)
    .bind(event.as_uuid())
    .bind(LAPSED_PER_RESERVATION)
    .fetch_all(&mut *conn)
    .await?;
    if lapsed.is_empty() {
        return Ok(0);
    }
    let moved = close(
        conn,
        city,
        &lapsed,
        (OrderStatus::Held, OrderStatus::Expired),
        None,
        &also,
    )
    .await?;
    Ok(moved.len() as u64)
}

/// Expires up to `limit` held orders of the city whose time is up and gives
/// their seats back; returns how many. Idempotent and safe to run in several
/// processes at once: holds locked elsewhere are skipped.
pub async fn expire_due(tx: &mut TenantTx, limit: u32) -> Result<u64> {
    let (city, conn) = tx.parts();
    let due: Vec<Uuid> = sqlx::query_scalar(
        "select id from ticket_orders where city_id = $1 and status = 'held' and expires_at <= now() \
         order by expires_at limit $2 for update skip locked",
    )
    .bind(city)
    .bind(i64::from(limit.max(1)))
    .fetch_all(&mut *conn)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let moved = close(
        conn,
        city,
        &due,
        (OrderStatus::Held, OrderStatus::Expired),
        None,
        &[],
    )
    .await?;
    Ok(moved.len() as u64)
}

/// Closes one order this transaction has locked and returns its seats.
pub async fn give_back(
    tx: &mut TenantTx,
    id: OrderId,
    moves: (OrderStatus, OrderStatus),
    reason: Option<&str>,
) -> Result<()> {
    let (city, conn) = tx.parts();
    close(conn, city, &[id.as_uuid()], moves, reason, &[]).await?;
    Ok(())
}
