//! Refunding a paid order: its tickets cancelled, its seats back on sale and
//! the negative ledger entry, in the caller's transaction.

use soi_core::OrderId;
use soi_db::funds::ledger::{self, Source};
use soi_db::tickets::orders::{self, Order};
use soi_db::tickets::{OrderStatus, seats, tickets};
use soi_db::{Error, Result, TenantTx};

/// Refunds a paid order none of whose tickets was used: cancels the
/// tickets, returns the seats and appends the negative ledger entry.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
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
