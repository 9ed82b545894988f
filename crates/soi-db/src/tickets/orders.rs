//! Ticket orders (`ticket_orders`): a reservation holds seats for the
//! event's `hold_minutes`, then it is paid, or lapses, or is cancelled (the
//! flows are `soi_service::tickets`; seats move in [`super::seats`]).
//! Every query runs inside a [`TenantTx`] and names `city_id = $1` on each
//! city table, subqueries included.
//!
//! Never oversold: a seat is taken only by a conditional update of a seat
//! bucket (`update ticket_seat_buckets set taken = taken + q … where taken +
//! q <= quota`, see [`super::seats`]), which locks that bucket until commit;
//! the table's check `taken between 0 and quota` is the backstop. Writers
//! lock ticket types' buckets in (type id, bucket) order (deadlock-free) and
//! order rows before buckets; the ones that
//! touch other holds (the lazy release here, the sweeper) skip locked orders
//! instead of waiting for them.

use super::OrderStatus;
use crate::conn::PublicRow;
use crate::{Error, Page, Result, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{Email, EventId, InputError, InputResult, Language, OrderId, TicketTypeId};
use uuid::Uuid;

/// Most tickets of one type in an order, and in a whole order.
pub const MAX_PER_LINE: i32 = 20;
pub const MAX_PER_ORDER: i32 = 20;

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

const COLUMNS: &str = "id, event_id, buyer_name, buyer_email, buyer_language, status, \
     total_tiyn, expires_at, created_at, paid_at, closed_at, closed_reason";

/// Who buys; the name is expected validated (`soi_core::text::bounded`).
#[derive(Debug, Clone)]
pub struct Buyer {
    pub name: String,
    pub email: Email,
    pub language: Language,
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

/// A new held order: its id (made by the caller), buyer, total, the access
/// key handed to the buyer (only its SHA-256 is stored) and its lines (ticket
/// type, quantity, unit price).
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub id: OrderId,
    pub buyer: &'a Buyer,
    pub total_tiyn: i64,
    pub access_key: &'a str,
    pub lines: Vec<(TicketTypeId, i32, i64)>,
}

/// The held `orders` of `event` with their lines, if the event is on sale
/// (published and not yet begun), each held for the event's hold time; none
/// when it is not, and the caller reads the event to say why. One
/// statement for all of them: the event's check, the orders, their lines,
/// and naming the orders as the public scope's own. Their ids go to
/// `soi.public_new_orders` (the orders this transaction has just made: the
/// only ones a public scope may insert, and whose lines it may insert;
/// nothing else sets it), set by the row source before any row is checked.
/// The lines are the ones given, so they are not read back. Rows come back
/// in no particular order.
pub async fn insert_if_on_sale(
    tx: &mut TenantTx,
    event: EventId,
    orders: &[NewOrder<'_>],
) -> Result<Vec<Order>> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = orders.iter().map(|o| o.id.as_uuid().to_string()).collect();
    let names: Vec<&str> = orders.iter().map(|o| o.buyer.name.as_str()).collect();
    let emails: Vec<&str> = orders.iter().map(|o| o.buyer.email.as_str()).collect();
    let languages: Vec<&str> = orders.iter().map(|o| o.buyer.language.code()).collect();
    let totals: Vec<i64> = orders.iter().map(|o| o.total_tiyn).collect();
    let keys: Vec<&str> = orders.iter().map(|o| o.access_key).collect();
    let mut line_orders = Vec::new();
    let mut line_types = Vec::new();
    let mut quantities = Vec::new();
    let mut prices = Vec::new();
    for o in orders {
        for (t, q, p) in &o.lines {
            line_orders.push(o.id.as_uuid());
            line_types.push(t.as_uuid());
            quantities.push(*q);
            prices.push(*p);
        }
    }
    let (city, conn) = tx.parts();
    let sql = format!(
        "with u as ( \
             select * from unnest(string_to_array(set_config('soi.public_new_orders', $2, true), ',')::uuid[], \
                 $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]) \
                 as u (id, name, email, language, total, access_key)), \
         o as ( \
             insert into ticket_orders (city_id, id, event_id, buyer_name, buyer_email, buyer_language, \
             total_tiyn, expires_at, access_key_sha256) \
             select $1, u.id, e.id, u.name, u.email, u.language, u.total, \
                 now() + make_interval(mins => e.hold_minutes), sha256(convert_to(u.access_key, 'UTF8')) \
             from events e, u \
             where e.city_id = $1 and e.id = $3 and e.status = 'published' and e.starts_at > now() \
             returning {COLUMNS}), \
         l as ( \
             insert into ticket_order_lines (city_id, order_id, ticket_type_id, quantity, unit_price_tiyn) \
             select $1, o.id, x.t, x.q, x.p \
             from o join unnest($9::uuid[], $10::uuid[], $11::int[], $12::bigint[]) as x (o, t, q, p) \
                 on x.o = o.id) \
         select {COLUMNS} from o"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids.join(","))
        .bind(event.as_uuid())
        .bind(&names)
        .bind(&emails)
        .bind(&languages)
        .bind(&totals)
        .bind(&keys)
        .bind(&line_orders)
        .bind(&line_types)
        .bind(&quantities)
        .bind(&prices)
        .fetch_all(conn)
        .await?)
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
    tx.name_public_row(PublicRow::Order, &id.as_uuid().to_string())
        .await?;
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
pub async fn lock(tx: &mut TenantTx, id: OrderId) -> Result<Order> {
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

/// Marks a held order paid, now.
pub async fn mark_paid(tx: &mut TenantTx, id: OrderId) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query(
        "update ticket_orders set status = 'paid', paid_at = now() where city_id = $1 and id = $2",
    )
    .bind(city)
    .bind(id.as_uuid())
    .execute(conn)
    .await?;
    Ok(())
}

/// Erases the buyer of every order bought with this address: the name
/// becomes a placeholder and the address one of the order's own. Status,
/// lines, amounts and tickets stay, so sales and money figures do not move.
/// Returns how many orders changed.
pub async fn erase_buyer(tx: &mut TenantTx, email: &str) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update ticket_orders set buyer_name = $3, buyer_email = 'erased+' || id || '@erased.invalid' \
         where city_id = $1 and buyer_email = lower($2)",
    )
    .bind(city)
    .bind(email.trim())
    .bind(crate::program::participant_privacy::ERASED_NAME)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
