//! The lines of ticket orders (`ticket_order_lines`): one per ticket type of
//! an order, at the price of the moment it was reserved; they are saved with
//! their order (`super::orders::insert_if_on_sale`). Every query runs inside
//! a [`TenantTx`] and names `city_id = $1`.

use crate::{Result, TenantTx};
use soi_core::{OrderId, TicketTypeId};
use uuid::Uuid;

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

/// The lines of several orders (one statement).
pub async fn of_orders(tx: &mut TenantTx, orders: &[OrderId]) -> Result<Vec<Line>> {
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
