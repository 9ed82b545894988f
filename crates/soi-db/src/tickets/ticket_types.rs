//! Ticket types of an event: a kind of seat with a price and a quota. Every
//! query runs inside a [`TenantTx`] and names `city_id = $1` on each city
//! table.
//!
//! `taken` counts seats held or sold: the sum over the type's seat buckets,
//! which the ticketing code moves (`super::seats`). Seats of holds that have
//! lapsed but are not yet swept are still in `taken`, so the seats a buyer
//! can get are [`REMAINING`].

use crate::TenantTx;
use crate::{Error, Result};
use soi_core::{EventId, InputError, TicketTypeId};
use std::collections::HashMap;
use uuid::Uuid;

/// Highest price of one ticket: 1 000 000 000 KZT, in tiyn.
pub const MAX_PRICE_TIYN: i64 = 100_000_000_000;
/// Largest quota of one ticket type.
pub const MAX_QUOTA: i32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct TicketType {
    #[sqlx(try_from = "Uuid")]
    pub id: TicketTypeId,
    #[sqlx(try_from = "Uuid")]
    pub event_id: EventId,
    pub name: String,
    pub price_tiyn: i64,
    pub quota: i32,
    pub taken: i32,
}

/// A ticket type with the seats a buyer can still get.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Seats {
    #[sqlx(flatten)]
    pub ticket_type: TicketType,
    pub remaining: i64,
}

/// Seats taken of the ticket type `t` (SQL, `$1` the city): its buckets'
/// sum. A macro, so the statements below can `concat!` it.
macro_rules! taken {
    () => {
        "(select coalesce(sum(b.taken), 0)::int from ticket_seat_buckets b \
         where b.city_id = $1 and b.ticket_type_id = t.id)"
    };
}

const COLUMNS: &str = concat!(
    "t.id, t.event_id, t.name, t.price_tiyn, t.quota, ",
    taken!(),
    " as taken"
);

/// Seats left of the ticket type `t` (SQL, `$1` the city): the quota less
/// `taken`, giving back the seats of holds that have expired but are not yet
/// swept. It starts from the event's lapsed holds (index
/// `ticket_orders_event_due`) and looks up each one's line of the type by
/// key, so it reads nothing while no hold has lapsed, however many orders
/// the type has: every reservation reads it first.
pub const REMAINING: &str = concat!(
    "t.quota - ",
    taken!(),
    " + coalesce((select sum((select l.quantity from ticket_order_lines l \
         where l.city_id = $1 and l.order_id = o.id and l.ticket_type_id = t.id)) \
     from ticket_orders o where o.city_id = $1 and o.event_id = t.event_id \
     and o.status = 'held' and o.expires_at <= now()), 0)"
);

pub fn check_price(price_tiyn: i64) -> Result<()> {
    if (0..=MAX_PRICE_TIYN).contains(&price_tiyn) {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "priceTiyn",
            format!("must be between 0 and {MAX_PRICE_TIYN} tiyn"),
        )))
    }
}

pub fn check_quota(quota: i32) -> Result<()> {
    if (1..=MAX_QUOTA).contains(&quota) {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "quota",
            format!("must be between 1 and {MAX_QUOTA}"),
        )))
    }
}

/// Adds a ticket type to an event; the name is unique per event
/// (`CONFLICT`). The event must be editable: the caller locks it first
/// (`soi_service::tickets::add_ticket_type`).
pub async fn insert(
    tx: &mut TenantTx,
    id: TicketTypeId,
    event: EventId,
    name: &str,
    price_tiyn: i64,
    quota: i32,
) -> Result<TicketType> {
    check_price(price_tiyn)?;
    check_quota(quota)?;
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "insert into ticket_types as t (city_id, id, event_id, name, price_tiyn, quota) \
         values ($1, $2, $3, $4, $5, $6) returning t.id, t.event_id, t.name, t.price_tiyn, t.quota, 0 as taken",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(event.as_uuid())
    .bind(name)
    .bind(price_tiyn)
    .bind(quota)
    .fetch_one(conn)
    .await?)
}

pub async fn get(tx: &mut TenantTx, id: TicketTypeId) -> Result<TicketType> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from ticket_types t where t.city_id = $1 and t.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("ticket type"))
}

/// An event's ticket types, cheapest first.
pub async fn list_for_event(tx: &mut TenantTx, event: EventId) -> Result<Vec<TicketType>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from ticket_types t where t.city_id = $1 and t.event_id = $2 \
         order by t.price_tiyn, t.name"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(event.as_uuid())
        .fetch_all(conn)
        .await?)
}

pub async fn count_for_event(tx: &mut TenantTx, event: EventId) -> Result<i64> {
    let (city, conn) = tx.parts();
    Ok(
        sqlx::query_scalar(
            "select count(*) from ticket_types where city_id = $1 and event_id = $2",
        )
        .bind(city)
        .bind(event.as_uuid())
        .fetch_one(conn)
        .await?,
    )
}

/// Seats a buyer can still get of one ticket type (see [`REMAINING`]).
pub async fn remaining(tx: &mut TenantTx, id: TicketTypeId) -> Result<i64> {
    let (city, conn) = tx.parts();
    let sql = format!("select {REMAINING} from ticket_types t where t.city_id = $1 and t.id = $2");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("ticket type"))
}

/// An event's ticket types with the seats left, cheapest first.
pub async fn list_with_remaining(tx: &mut TenantTx, event: EventId) -> Result<Vec<Seats>> {
    Ok(with_remaining_of_events(tx, &[event])
        .await?
        .remove(&event)
        .unwrap_or_default())
}

/// Ticket types with the seats left of several events at once (one
/// statement), by event, each list cheapest first.
pub async fn with_remaining_of_events(
    tx: &mut TenantTx,
    events: &[EventId],
) -> Result<HashMap<EventId, Vec<Seats>>> {
    let ids: Vec<Uuid> = events.iter().map(EventId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS}, {REMAINING} as remaining from ticket_types t \
         where t.city_id = $1 and t.event_id = any($2) order by t.price_tiyn, t.name"
    );
    let rows: Vec<Seats> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?;
    let mut by_event: HashMap<EventId, Vec<Seats>> = HashMap::new();
    for row in rows {
        by_event
            .entry(row.ticket_type.event_id)
            .or_default()
            .push(row);
    }
    Ok(by_event)
}

/// Changes the quota. The seats taken were checked against it, and the
/// buckets split anew, by `super::seats::split` just before; the event must
/// be editable: the caller locks it first (`soi_service::tickets::set_quota`).
pub async fn set_quota(tx: &mut TenantTx, id: TicketTypeId, quota: i32) -> Result<TicketType> {
    check_quota(quota)?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "update ticket_types t set quota = $3 where t.city_id = $1 and t.id = $2 returning {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(quota)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("ticket type"))
}
