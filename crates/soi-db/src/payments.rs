//! Payments of ticket orders and their refunds. Paying issues the tickets
//! and writes the ledger entry in the same transaction; a refund cancels the
//! tickets, returns the seats and writes the reversing entry. Every query
//! runs inside a [`TenantTx`] and names `city_id = $1` on each city table.

use crate::coded::coded;
use crate::error::{Error, Result};
use crate::ledger::{self, Source};
use crate::orders::{self, Order, OrderStatus};
use crate::{TenantTx, seats, tickets};
use chrono::{DateTime, Utc};
use soi_core::{Actor, InputError, OrderId, PaymentId};
use uuid::Uuid;

coded! {
    /// Cash, card or a Kaspi transfer recorded by an admin; `provider` for
    /// a payment provider's confirmation.
    PaymentMethod, "method" { Cash => "cash", Card => "card", Kaspi => "kaspi", Provider => "provider" }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Payment {
    #[sqlx(try_from = "Uuid")]
    pub id: PaymentId,
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    #[sqlx(try_from = "String")]
    pub method: PaymentMethod,
    pub amount_tiyn: i64,
    pub reference: Option<String>,
    pub provider_txn_id: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub received_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, order_id, method, amount_tiyn, reference, provider_txn_id, recorded_by, received_at";

/// A payment recorded, or found again for a repeated provider notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub payment: Payment,
    /// The provider's transaction id was seen before: nothing changed.
    pub duplicate: bool,
}

/// How a payment came in.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    pub method: PaymentMethod,
    pub amount_tiyn: i64,
    /// An admin's note: a receipt number, the last digits of a card.
    pub reference: Option<&'a str>,
    /// The provider's transaction id: a payment is recorded once per id.
    pub provider_txn_id: Option<&'a str>,
}

async fn by_txn(tx: &mut TenantTx, txn: &str) -> Result<Option<Payment>> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from payments where city_id = $1 and provider_txn_id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(txn)
        .fetch_optional(conn)
        .await?)
}

/// The payments of several orders (at most one each; one statement).
pub async fn of_orders(tx: &mut TenantTx, orders: &[OrderId]) -> Result<Vec<Payment>> {
    let ids: Vec<Uuid> = orders.iter().map(OrderId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from payments where city_id = $1 and order_id = any($2)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// The same transaction id again is the same payment.
fn repeat(p: Payment, order: OrderId) -> Result<Paid> {
    if p.order_id == order {
        Ok(Paid {
            payment: p,
            duplicate: true,
        })
    } else {
        Err(Error::Conflict(
            "this transaction id was already used for another order".into(),
        ))
    }
}

/// Pays a held order whose time is not up: records the payment, marks the
/// order paid, issues one ticket per seat and appends the sale to the ledger
/// (free orders: no entry), all in this transaction. The amount must be the
/// order's total. Idempotent by the provider's transaction id.
pub async fn pay(tx: &mut TenantTx, id: OrderId, r: Receipt<'_>) -> Result<Paid> {
    if let Some(txn) = r.provider_txn_id
        && let Some(seen) = by_txn(tx, txn).await?
    {
        return repeat(seen, id);
    }
    let order = orders::lock(tx, id).await?;
    match order.status {
        OrderStatus::Held if order.expires_at > Utc::now() => {}
        OrderStatus::Held | OrderStatus::Expired => {
            return Err(Error::Conflict("the hold expired".into()));
        }
        OrderStatus::Paid => {
            // A notification that raced ours to the order lock has committed.
            if let Some(txn) = r.provider_txn_id
                && let Some(seen) = by_txn(tx, txn).await?
            {
                return repeat(seen, id);
            }
            return Err(Error::Conflict("the order is already paid".into()));
        }
        other => return Err(Error::Conflict(format!("the order is {other}"))),
    }
    if r.amount_tiyn != order.total_tiyn {
        return Err(InputError::new(
            "amount",
            format!("must equal the order's total of {} tiyn", order.total_tiyn),
        )
        .into());
    }
    let recorded_by = match tx.actor() {
        Actor::User(u) => Some(u),
        Actor::System(_) | Actor::Public => None,
    };
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into payments (city_id, id, order_id, method, amount_tiyn, reference, provider_txn_id, recorded_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    );
    let payment: Payment = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(PaymentId::new().as_uuid())
        .bind(id.as_uuid())
        .bind(r.method.code())
        .bind(r.amount_tiyn)
        .bind(r.reference)
        .bind(r.provider_txn_id)
        .bind(recorded_by)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "update ticket_orders set status = 'paid', paid_at = now() where city_id = $1 and id = $2",
    )
    .bind(city)
    .bind(id.as_uuid())
    .execute(conn)
    .await?;
    tickets::issue(tx, id).await?;
    if order.total_tiyn > 0 {
        ledger::append(
            tx,
            Source::TicketSale(id),
            order.total_tiyn,
            Some("ticket sale"),
        )
        .await?;
    }
    Ok(Paid {
        payment,
        duplicate: false,
    })
}

/// Refunds a paid order none of whose tickets was used: cancels the
/// tickets, returns the seats and appends the negative ledger entry.
pub async fn refund(tx: &mut TenantTx, id: OrderId, reason: &str) -> Result<Order> {
    let order = orders::lock(tx, id).await?;
    if order.status != OrderStatus::Paid {
        return Err(Error::Conflict(format!(
            "only a paid order can be refunded; this one is {}",
            order.status
        )));
    }
    tickets::cancel_of(tx, id).await?;
    seats::give_back(
        tx,
        id,
        (OrderStatus::Paid, OrderStatus::Refunded),
        Some(reason),
    )
    .await?;
    if order.total_tiyn > 0 {
        ledger::append(tx, Source::Refund(id), -order.total_tiyn, Some("refund")).await?;
    }
    orders::get(tx, id).await
}
