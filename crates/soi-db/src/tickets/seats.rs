//! Seats taken and given back: the only code that moves the seat buckets
//! (`ticket_seat_buckets`) a ticket type's quota is split into. Every query
//! runs inside a [`TenantTx`] and names `city_id = $1` on each city table.
//!
//! A type's quota is split over up to [`MAX_BUCKETS`] buckets, each with its
//! own quota and `taken` (the check `taken between 0 and quota` makes
//! overselling impossible, bucket by bucket). Buying seats ([`take`]):
//! 1. one bucket with room that no other transaction holds (`skip locked`:
//!    never waits), starting from a random bucket, so buyers of one type
//!    spread over the buckets and commit side by side;
//! 2. failing that (every bucket with room is held just now), the one bucket
//!    with room by this statement's snapshot, waiting for its holder; the
//!    condition is checked again once the row is ours;
//! 3. failing that, every bucket of the type in bucket order, and the seats
//!    taken from as many buckets as it needs. So a buyer is refused only
//!    when the type as a whole has too few seats left: never undersold.
//!
//! Lock order, the same everywhere, so no two writers wait on each other in
//! a circle: the event (locked to edit by a quota change, share-locked by a
//! new order's foreign key), an order row (the one being changed, or holds
//! found with `skip locked`, which never waits), then ticket types in id
//! order and, within a type, its buckets in bucket order, then the city's
//! ledger. Steps
//! 1 and 2 lock a single bucket out of that order, so they run after a
//! savepoint: a bucket they locked but could not use (its room went between
//! the snapshot and the lock) is let go by rolling back to it before step 3
//! waits for the buckets in order. A transaction that got its seats in step
//! 1 or 2 holds one bucket of the type and waits only for later types.

use super::OrderStatus;
use crate::TracedConn;
use crate::{Error, Result, TenantTx};
use soi_core::{EventId, OrderId, TicketTypeId};
use uuid::Uuid;

/// Holds released in one go by a reservation; older ones wait for the next
/// reservation or the sweeper.
const LAPSED_PER_RESERVATION: i64 = 100;

/// Most buckets a type is split into (the table's check allows 0–31): more
/// than the connections two gateways' pools hold at once, so a rush on one
/// type seldom finds every bucket held.
pub const MAX_BUCKETS: i32 = 32;

/// Seats per bucket the split aims at: above the 20 seats of the largest
/// order, so an order fits one bucket until the type is nearly sold out.
const SEATS_PER_BUCKET: i32 = 25;

/// How many buckets a quota is split into.
pub fn buckets_for(quota: i32) -> i32 {
    (quota / SEATS_PER_BUCKET).clamp(1, MAX_BUCKETS)
}

/// Splits the type's quota over [`buckets_for`] buckets, carrying the seats
/// already taken over evenly (a new type has none): used when a type is
/// added and when its quota changes. `CONFLICT` when more seats are taken
/// than the new quota. Locks the type's buckets in order first, so seats
/// being taken meanwhile are waited for and counted.
pub async fn split(tx: &mut TenantTx, id: TicketTypeId, quota: i32) -> Result<()> {
    let (city, conn) = tx.parts();
    let taken: i64 = sqlx::query_scalar(
        "with held as (select taken from ticket_seat_buckets \
             where city_id = $1 and ticket_type_id = $2 order by bucket for no key update) \
         select coalesce(sum(taken), 0)::bigint from held",
    )
    .bind(city)
    .bind(id.as_uuid())
    .fetch_one(&mut *conn)
    .await?;
    if taken > i64::from(quota) {
        return Err(Error::Conflict(format!(
            "{taken} seats are taken; the quota cannot be {quota}"
        )));
    }
    let n = buckets_for(quota);
    // Quota and taken each spread evenly, the remainders on the first
    // buckets; taken <= quota overall makes it hold in every bucket too.
    sqlx::query(
        "insert into ticket_seat_buckets as b (city_id, ticket_type_id, bucket, quota, taken) \
         select $1, $2, i::smallint, $3::int / $5::int + (i < $3::int % $5::int)::int, \
             $4::int / $5::int + (i < $4::int % $5::int)::int \
         from generate_series(0, $5::int - 1) i \
         on conflict (city_id, ticket_type_id, bucket) \
         do update set quota = excluded.quota, taken = excluded.taken",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(quota)
    .bind(taken as i32)
    .bind(n)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "delete from ticket_seat_buckets where city_id = $1 and ticket_type_id = $2 and bucket >= $3::int",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(n)
    .execute(conn)
    .await?;
    Ok(())
}

/// Step 1: a bucket with room nobody holds, from a random starting point
/// (`hashint4` of bucket and a random number orders them differently for
/// each buyer).
const TAKE_FREE: &str = "with free as ( \
         select bucket from ticket_seat_buckets \
         where city_id = $1 and ticket_type_id = $2 and taken + $3::int <= quota \
         order by hashint4(bucket + $4::int) limit 1 for no key update skip locked) \
     update ticket_seat_buckets b set taken = b.taken + $3::int from free \
     where b.city_id = $1 and b.ticket_type_id = $2 and b.bucket = free.bucket \
     returning b.bucket";

/// Step 2: the bucket with room by this statement's snapshot, waiting for
/// whoever holds it; the room is checked again on the row once it is ours.
const TAKE_WAITING: &str = "update ticket_seat_buckets b set taken = b.taken + $3::int \
     where b.city_id = $1 and b.ticket_type_id = $2 and b.taken + $3::int <= b.quota \
     and b.bucket = (select bucket from ticket_seat_buckets \
         where city_id = $1 and ticket_type_id = $2 and taken + $3::int <= quota \
         order by hashint4(bucket + $4::int) limit 1) \
     returning b.bucket";

/// Step 3: every bucket in order; the seats come from the roomiest buckets
/// first, and only if the type's room in all covers them. Returns the
/// type's room before this take.
const TAKE_ACROSS: &str = "with held as ( \
         select bucket, quota - taken as room from ticket_seat_buckets \
         where city_id = $1 and ticket_type_id = $2 order by bucket for no key update), \
     plan as ( \
         select bucket, room, sum(room) over () as total, \
             sum(room) over (order by room desc, bucket rows unbounded preceding) as upto \
         from held), \
     moved as ( \
         update ticket_seat_buckets b set taken = b.taken + least(p.room, $3::int - (p.upto - p.room)) \
         from plan p \
         where b.city_id = $1 and b.ticket_type_id = $2 and b.bucket = p.bucket \
         and p.total >= $3::int and p.upto - p.room < $3::int \
         returning b.bucket) \
     select coalesce(max(total), 0)::bigint from plan";

/// Takes `q` seats of the ticket type `id` if that many are left; `CONFLICT`
/// naming the type (`name`) otherwise. The buckets it took from stay locked
/// until commit. See the module doc for the three steps; more seats than
/// one order may hold (a batch of orders) go straight to the third, as they
/// seldom fit one bucket and the batch is its gateway's only writer for the
/// event anyway.
pub async fn take(tx: &mut TenantTx, (id, name): (TicketTypeId, &str), q: i32) -> Result<()> {
    let (city, conn) = tx.parts();
    if q <= super::orders::MAX_PER_ORDER && take_one_bucket(conn, city, id, q).await? {
        return Ok(());
    }
    let room: i64 = sqlx::query_scalar(TAKE_ACROSS)
        .bind(city)
        .bind(id.as_uuid())
        .bind(q)
        .fetch_one(conn)
        .await?;
    if room >= i64::from(q) {
        return Ok(());
    }
    Err(sold_out(name, room))
}

/// Steps 1 and 2: whether the `q` seats came from one bucket; if not, any
/// bucket a step locked without taking from it is let go.
async fn take_one_bucket(
    conn: &mut TracedConn,
    city: Uuid,
    id: TicketTypeId,
    q: i32,
) -> Result<bool> {
    let mut start = [0u8; 4];
    getrandom::fill(&mut start).map_err(|e| Error::Unavailable(format!("no randomness: {e}")))?;
    // Kept small, so `bucket + start` cannot overflow int4.
    let start = i32::from_le_bytes(start) & 0xFFFF;
    sqlx::raw_sql("savepoint seats").execute(&mut *conn).await?;
    for step in [TAKE_FREE, TAKE_WAITING] {
        let got: Option<i16> = sqlx::query_scalar(step)
            .bind(city)
            .bind(id.as_uuid())
            .bind(q)
            .bind(start)
            .fetch_optional(&mut *conn)
            .await?;
        if got.is_some() {
            return Ok(true);
        }
        // Let go of any bucket the step locked without taking from it.
        sqlx::raw_sql("rollback to savepoint seats")
            .execute(&mut *conn)
            .await?;
    }
    Ok(false)
}

/// The refusal of a reservation when the ticket type `name` has only `left`
/// seats, fewer than asked: `CONFLICT`, saying how many are left.
pub fn sold_out(name: &str, left: i64) -> Error {
    Error::Conflict(if left <= 0 {
        format!("sold out: {name}")
    } else {
        format!("sold out: {name} (only {left} left)")
    })
}

/// Locks the buckets of the ticket types `ids`, types in id order and each
/// type's buckets in bucket order (`no key update`, as the seat updates).
async fn lock_buckets(conn: &mut TracedConn, city: Uuid, mut ids: Vec<Uuid>) -> Result<()> {
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "select bucket from ticket_seat_buckets where city_id = $1 and ticket_type_id = any($2) \
         order by ticket_type_id, bucket for no key update",
    )
    .bind(city)
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves the orders `ids` (already locked by this transaction) that are
/// still `from` to `to` and gives their seats back, from the fullest
/// buckets of each type first; `extra` ticket types are locked with theirs
/// (in one ordered pass). Returns the orders moved.
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
    lock_buckets(conn, city, types).await?;
    Ok(sqlx::query_scalar(
        "with gone as ( \
             update ticket_orders set status = $4, closed_at = now(), closed_reason = $5 \
             where city_id = $1 and id = any($2) and status = $3 returning id), \
         seats as ( \
             select l.ticket_type_id, sum(l.quantity)::int as q from ticket_order_lines l \
             where l.city_id = $1 and l.order_id in (select id from gone) group by l.ticket_type_id), \
         plan as ( \
             select b.ticket_type_id, b.bucket, b.taken, s.q, \
                 sum(b.taken) over (partition by b.ticket_type_id \
                     order by b.taken desc, b.bucket rows unbounded preceding) as upto \
             from ticket_seat_buckets b join seats s on s.ticket_type_id = b.ticket_type_id \
             where b.city_id = $1), \
         back as ( \
             update ticket_seat_buckets b set taken = b.taken - least(p.taken, p.q - (p.upto - p.taken)) \
             from plan p \
             where b.city_id = $1 and b.ticket_type_id = p.ticket_type_id and b.bucket = p.bucket \
             and p.upto - p.taken < p.q \
             returning b.bucket) \
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

/// Expires the event's lapsed holds that have a line of the ticket types
/// `also` (up to a batch, oldest first) before a reservation of those
/// types, locking them with the holds' types. Holds of other types are left
/// to their own buyers or the sweeper, so they never fill the batch of a
/// buyer they cannot help. Holds another transaction has locked are
/// skipped, not waited for.
pub async fn release_lapsed(
    tx: &mut TenantTx,
    event: EventId,
    also: &[TicketTypeId],
) -> Result<u64> {
    let also: Vec<Uuid> = also.iter().map(TicketTypeId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let lapsed: Vec<Uuid> = sqlx::query_scalar(
        "select o.id from ticket_orders o where o.city_id = $1 and o.event_id = $2 \
         and o.status = 'held' and o.expires_at <= now() \
         and exists (select 1 from ticket_order_lines l \
             where l.city_id = $1 and l.order_id = o.id and l.ticket_type_id = any($4)) \
         order by o.expires_at limit $3 for update of o skip locked",
    )
    .bind(city)
    .bind(event.as_uuid())
    .bind(LAPSED_PER_RESERVATION)
    .bind(&also)
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
