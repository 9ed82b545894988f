//! Ticket orders: a reservation holds seats for the event's `hold_minutes`,
//! then it is paid (see [`crate::payments`]), or lapses, or is cancelled.
//! Every query runs inside a [`TenantTx`] and names `city_id = $1` on each
//! city table, subqueries included.
//!
//! Never oversold: a seat is taken only by the conditional
//! `update ticket_types set taken = taken + q … where taken + q <= quota`,
//! which locks the one ticket-type row until commit; the table's check
//! `taken between 0 and quota` is the backstop. Writers lock ticket types in
//! id order (deadlock-free) and order rows before ticket types; the ones that
//! touch other holds (the lazy release here, the sweeper) skip locked orders
//! instead of waiting for them.

use crate::error::{Error, Result};
use crate::{Page, TenantTx, events, seats, ticket_types, tickets};
use chrono::{DateTime, Utc};
use soi_core::program::EventStatus;
use soi_core::{Email, EventId, InputError, InputResult, Language, OrderId, TicketTypeId};
use uuid::Uuid;

/// Most tickets of one type in an order, and in a whole order.
pub const MAX_PER_LINE: i32 = 20;
pub const MAX_PER_ORDER: i32 = 20;

use crate::coded::coded;

coded! {
    /// held → paid → refunded; held → expired | cancelled.
    OrderStatus, "status" {
        Held => "held", Paid => "paid", Expired => "expired", Cancelled => "cancelled", Refunded => "refunded",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Order {
    #[sqlx(try_from = "Uuid")]
    pub id: OrderId,
    #[sqlx(try_from = "Uuid")]
    pub event_id: EventId,
    pub buyer_name: String,
    pub buyer_email: String,
    #[sqlx(try_from = "String")]
    pub buyer_language: Language,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub total_tiyn: i64,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, event_id, buyer_name, buyer_email, buyer_language, status, \
     total_tiyn, expires_at, created_at, paid_at, closed_at, closed_reason";

/// One ticket type of an order, at the price of the moment it was reserved.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Line {
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    #[sqlx(try_from = "Uuid")]
    pub ticket_type_id: TicketTypeId,
    pub quantity: i32,
    pub unit_price_tiyn: i64,
}

/// Who buys; the name is expected validated (`soi_core::text::bounded`).
#[derive(Debug, Clone)]
pub struct Buyer {
    pub name: String,
    pub email: Email,
    pub language: Language,
}

/// A new hold, with the access key the buyer fetches their tickets with.
/// Only its SHA-256 is stored: this is the one time it is known.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub order: Order,
    /// The lines with their ticket types' names.
    pub lines: Vec<(Line, String)>,
    pub access_key: String,
}

/// The rules of an order's lines: 1–20 of each type, at most 20 in all, each
/// type once.
pub fn validate_lines(lines: &[(TicketTypeId, i32)]) -> InputResult<()> {
    if lines.is_empty() {
        return Err(InputError::new("items", "choose at least one ticket"));
    }
    if lines.iter().any(|(_, q)| !(1..=MAX_PER_LINE).contains(q)) {
        return Err(InputError::new(
            "quantity",
            format!("must be between 1 and {MAX_PER_LINE}"),
        ));
    }
    let mut ids: Vec<TicketTypeId> = lines.iter().map(|(t, _)| *t).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != lines.len() {
        return Err(InputError::new("items", "name each ticket type once"));
    }
    let all: i32 = lines.iter().map(|(_, q)| q).sum();
    if all > MAX_PER_ORDER {
        return Err(InputError::new(
            "items",
            format!("an order holds at most {MAX_PER_ORDER} tickets"),
        ));
    }
    Ok(())
}

/// Holds seats of a published, future event for the buyer. Lapsed holds of
/// the event are released first (their seats count as free); then each type
/// is taken in id order, and a type without enough seats fails the whole
/// reservation with `CONFLICT` (the transaction rolls back).
pub async fn reserve(
    tx: &mut TenantTx,
    event: EventId,
    buyer: &Buyer,
    lines: &[(TicketTypeId, i32)],
) -> Result<Reserved> {
    validate_lines(lines)?;
    let ev = events::get(tx, event).await?;
    if ev.status != EventStatus::Published {
        return Err(Error::Conflict("event is not on sale".into()));
    }
    if ev.starts_at <= Utc::now() {
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
    let ids: Vec<Uuid> = wanted.iter().map(|(t, _)| t.id.as_uuid()).collect();
    seats::release_lapsed(tx, event, &ids).await?;

    let id = OrderId::new();
    let access_key = tickets::random_code()?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into ticket_orders (city_id, id, event_id, buyer_name, buyer_email, buyer_language, \
         total_tiyn, expires_at, access_key_sha256) \
         values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8), sha256(convert_to($9, 'UTF8'))) \
         returning {COLUMNS}"
    );
    let order: Order = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(event.as_uuid())
        .bind(&buyer.name)
        .bind(buyer.email.as_str())
        .bind(buyer.language.code())
        .bind(total)
        .bind(ev.hold_minutes)
        .bind(&access_key)
        .fetch_one(&mut *conn)
        .await?;
    let quantities: Vec<i32> = wanted.iter().map(|(_, q)| *q).collect();
    let prices: Vec<i64> = wanted.iter().map(|(t, _)| t.price_tiyn).collect();
    let saved: Vec<Line> = sqlx::query_as(
        "insert into ticket_order_lines (city_id, order_id, ticket_type_id, quantity, unit_price_tiyn) \
         select $1, $2, u.t, u.q, u.p from unnest($3::uuid[], $4::int[], $5::bigint[]) as u (t, q, p) \
         returning order_id, ticket_type_id, quantity, unit_price_tiyn",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(&ids)
    .bind(&quantities)
    .bind(&prices)
    .fetch_all(&mut *conn)
    .await?;
    // Last, so the ticket-type rows stay locked for as short a time as can be.
    for (t, q) in &wanted {
        seats::take(tx, t, *q).await?;
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

pub async fn get(tx: &mut TenantTx, id: OrderId) -> Result<Order> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from ticket_orders where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("order"))
}

/// The order if `access_key` is the one its reservation handed out; a wrong
/// key and a missing order are the same `NOT_FOUND`.
pub async fn by_access_key(tx: &mut TenantTx, id: OrderId, access_key: &str) -> Result<Order> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from ticket_orders where city_id = $1 and id = $2 \
         and access_key_sha256 = sha256(convert_to($3, 'UTF8'))"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(access_key.trim())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("order"))
}

/// The order, locked until the transaction ends.
pub(crate) async fn lock(tx: &mut TenantTx, id: OrderId) -> Result<Order> {
    let (city, conn) = tx.parts();
    let sql =
        format!("select {COLUMNS} from ticket_orders where city_id = $1 and id = $2 for update");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("order"))
}

/// An event's orders, oldest first, optionally of one status.
pub async fn list_for_event(
    tx: &mut TenantTx,
    event: EventId,
    status: Option<OrderStatus>,
    page: Page<OrderId>,
) -> Result<Vec<Order>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from ticket_orders \
         where city_id = $1 and event_id = $2 and ($3::text is null or status = $3) \
           and ($4::uuid is null or id > $4) \
         order by id limit $5"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(event.as_uuid())
        .bind(status.map(OrderStatus::code))
        .bind(page.after.map(|o| o.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// The lines of several orders (one statement).
pub async fn lines_of(tx: &mut TenantTx, orders: &[OrderId]) -> Result<Vec<Line>> {
    let ids: Vec<Uuid> = orders.iter().map(OrderId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select order_id, ticket_type_id, quantity, unit_price_tiyn from ticket_order_lines \
         where city_id = $1 and order_id = any($2) order by order_id, ticket_type_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}
