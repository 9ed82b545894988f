//! Issued tickets (`tickets`): one per seat of a paid order, each with a random code
//! (128 bits, unguessable, unique in the city) that the door scans once.
//! Every query runs inside a [`TenantTx`] and names `city_id = $1` on each
//! city table.

use crate::TenantTx;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use soi_core::{Actor, EventId, InputError, InputResult, OrderId, TicketId, TicketTypeId};
use uuid::Uuid;

soi_core::text_enum! {
    /// A ticket is valid until its order is refunded.
    TicketStatus, "status" { Valid => "valid", Cancelled => "cancelled" }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Ticket {
    #[sqlx(try_from = "Uuid")]
    pub id: TicketId,
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    #[sqlx(try_from = "Uuid")]
    pub ticket_type_id: TicketTypeId,
    pub code: String,
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by: Option<Uuid>,
}

const COLUMNS: &str = "id, order_id, ticket_type_id, code, status, checked_in_at, checked_in_by";

/// What a scan at the door found.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckIn {
    /// True for the first scan only; later scans see when that was.
    pub admitted: bool,
    #[sqlx(flatten)]
    pub ticket: Ticket,
    pub ticket_type_name: String,
    #[sqlx(try_from = "Uuid")]
    pub event_id: EventId,
    /// The city's IANA zone, to show the time of the first scan locally.
    pub time_zone: String,
}

/// Crockford's base32: no I, L, O, U, so a code read aloud or typed from
/// paper is not mistaken; upper case fits a QR code's compact alphanumeric mode.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 128 random bits as 26 characters of Crockford base32.
pub fn random_code() -> Result<String> {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|e| Error::Unavailable(format!("no randomness: {e}")))?;
    let bits = u128::from_be_bytes(raw);
    // 26 × 5 = 130 bits: the top character carries the first 3 bits.
    Ok((0..26)
        .rev()
        .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
        .collect())
}

/// A code as typed or scanned: spaces and dashes dropped, upper case, and the
/// letters Crockford reads as digits (O → 0, I and L → 1).
pub fn normalize_code(code: &str) -> InputResult<String> {
    let c: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if (16..=64).contains(&c.len()) && c.bytes().all(|b| ALPHABET.contains(&b)) {
        Ok(c)
    } else {
        Err(InputError::new("code", "is not a ticket code"))
    }
}

/// One ticket per seat of the order's lines (`(ticket type, quantity)`
/// each), with fresh codes.
pub async fn issue(
    tx: &mut TenantTx,
    order: OrderId,
    seats: &[(TicketTypeId, i32)],
) -> Result<Vec<Ticket>> {
    let mut ids = Vec::new();
    let mut types = Vec::new();
    let mut codes = Vec::new();
    for (ticket_type, quantity) in seats {
        for _ in 0..*quantity {
            ids.push(TicketId::new().as_uuid());
            types.push(ticket_type.as_uuid());
            codes.push(random_code()?);
        }
    }
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into tickets (city_id, id, order_id, ticket_type_id, code) \
         select $1, u.id, $2, u.t, u.code from unnest($3::uuid[], $4::uuid[], $5::text[]) as u (id, t, code) \
         returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(order.as_uuid())
        .bind(ids)
        .bind(types)
        .bind(codes)
        .fetch_all(conn)
        .await?)
}

/// The tickets of several orders, in issue order (one statement).
pub async fn of_orders(tx: &mut TenantTx, orders: &[OrderId]) -> Result<Vec<Ticket>> {
    let ids: Vec<Uuid> = orders.iter().map(OrderId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from tickets where city_id = $1 and order_id = any($2) order by order_id, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// Cancels the valid tickets of an order (a refund); `CONFLICT` if one of
/// them was already used. The rows stay locked, so a scan waits for the
/// refund and then finds the ticket cancelled.
pub async fn cancel_of(tx: &mut TenantTx, order: OrderId) -> Result<()> {
    let (city, conn) = tx.parts();
    let used: Vec<Option<DateTime<Utc>>> = sqlx::query_scalar(
        "update tickets set status = 'cancelled' where city_id = $1 and order_id = $2 \
         and status = 'valid' returning checked_in_at",
    )
    .bind(city)
    .bind(order.as_uuid())
    .fetch_all(conn)
    .await?;
    if used.iter().any(Option::is_some) {
        return Err(Error::Conflict(
            "a ticket of this order was already used at the door; it cannot be refunded".into(),
        ));
    }
    Ok(())
}

/// What the scan's answer shows besides the ticket (`$1` is the city).
const EXTRA: &str = "(select tt.name from ticket_types tt where tt.city_id = $1 and tt.id = t.ticket_type_id) as ticket_type_name, \
     (select tt.event_id from ticket_types tt where tt.city_id = $1 and tt.id = t.ticket_type_id) as event_id, \
     (select c.time_zone from cities c where c.id = $1) as time_zone";

/// Admits the holder of `code` once. The first scan wins (one conditional
/// UPDATE; concurrent scans wait for it and then find the ticket used) and
/// is `admitted`; later ones are not, and carry the time of the first.
/// Unknown code (or one of another city): `NOT_FOUND`; a refunded ticket:
/// `CONFLICT`.
pub async fn check_in(tx: &mut TenantTx, code: &str) -> Result<CheckIn> {
    let code = normalize_code(code)?;
    let by = match tx.actor() {
        Actor::User(id) => Some(id),
        Actor::System(_) | Actor::Public => None,
    };
    let (city, conn) = tx.parts();
    let sql = format!(
        "update tickets t set checked_in_at = clock_timestamp(), checked_in_by = $3 \
         where t.city_id = $1 and t.code = $2 and t.status = 'valid' and t.checked_in_at is null \
         returning true as admitted, t.id, t.order_id, t.ticket_type_id, t.code, t.status, \
         t.checked_in_at, t.checked_in_by, {EXTRA}"
    );
    let admitted: Option<CheckIn> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(&code)
        .bind(by)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(found) = admitted {
        return Ok(found);
    }
    let sql = format!(
        "select false as admitted, t.id, t.order_id, t.ticket_type_id, t.code, t.status, \
         t.checked_in_at, t.checked_in_by, {EXTRA} from tickets t where t.city_id = $1 and t.code = $2"
    );
    let seen: CheckIn = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(&code)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("ticket"))?;
    if seen.ticket.status == TicketStatus::Cancelled {
        return Err(Error::Conflict(
            "this ticket was cancelled: its order was refunded".into(),
        ));
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_read_back() {
        let a = random_code().expect("code");
        let b = random_code().expect("code");
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
        assert_eq!(normalize_code(&a.to_lowercase()).expect("valid"), a);
        assert!(normalize_code("short").is_err());
        assert!(normalize_code("UUUUUUUUUUUUUUUUUUUUUUUUUU").is_err());
    }
}
