//! Cancelling a hold: an admin ends it before its time and its seats go
//! back on sale.

use soi_core::OrderId;
use soi_db::tickets::orders::{self, Order};
use soi_db::tickets::{OrderStatus, seats};
use soi_db::{Error, Result, TenantTx};

/// An admin ends a hold before its time; its seats go back on sale.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn cancel_hold(tx: &mut TenantTx, id: OrderId, reason: Option<&str>) -> Result<Order> {
    let order = orders::lock(tx, id).await?;
    if order.status != OrderStatus::Held {
        return Err(Error::Conflict(format!(
            "only a held order can be cancelled; this one is {}",
            order.status
        )));
    }
    seats::give_back(tx, id, (OrderStatus::Held, OrderStatus::Cancelled), reason).await?;
    orders::get(tx, id).await
}
