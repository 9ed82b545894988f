//! Payments of ticket orders (`payments`): at most one per order, and one
//! per provider transaction id. Paying and refunding an order are flows of
//! several tables (`soi_service::tickets`). Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::{Result, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{Actor, OrderId, PaymentId};
use uuid::Uuid;

soi_core::text_enum! {
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

/// The payment of a provider's transaction id, if one was recorded.
pub async fn by_txn(tx: &mut TenantTx, txn: &str) -> Result<Option<Payment>> {
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

/// Records the payment of an order, by the transaction's user (none for the
/// system or the public).
pub async fn insert(tx: &mut TenantTx, order: OrderId, r: &Receipt<'_>) -> Result<Payment> {
    let recorded_by = match tx.actor() {
        Actor::User(u) => Some(u),
        Actor::System(_) | Actor::Public => None,
    };
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into payments (city_id, id, order_id, method, amount_tiyn, reference, provider_txn_id, recorded_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(PaymentId::new().as_uuid())
        .bind(order.as_uuid())
        .bind(r.method.code())
        .bind(r.amount_tiyn)
        .bind(r.reference)
        .bind(r.provider_txn_id)
        .bind(recorded_by)
        .fetch_one(conn)
        .await?)
}
