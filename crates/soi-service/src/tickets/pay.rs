//! Paying an order: the payment recorded, the order paid, one ticket per
//! seat issued and the sale appended to the ledger, all in the caller's
//! transaction; then the buyer's tickets mailed, once. Both the admin's
//! `recordPayment` and the provider's webhook come here.

use chrono::Utc;
use soi_core::OrderId;
use soi_db::funds::ledger::{self, Source};
use soi_db::tickets::payments::{self, Payment, Receipt};
use soi_db::tickets::{OrderStatus, order_lines, orders, tickets};
use soi_db::{Error, Result, TenantTx};

/// A payment recorded, or found again for a repeated provider notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub payment: Payment,
    /// The provider's transaction id was seen before: nothing changed.
    pub duplicate: bool,
}

/// Pays a held order ([`settle`]) and, when the payment is new, enqueues the
/// buyer's tickets by email in the same transaction: a repeated provider
/// notification is a duplicate and mails nothing.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn pay(tx: &mut TenantTx, id: OrderId, r: Receipt<'_>) -> Result<Paid> {
    let paid = settle(tx, id, r).await?;
    if !paid.duplicate {
        soi_mail::kinds::ticket_order_paid(tx, id).await?;
    }
    Ok(paid)
}

/// Pays a held order whose time is not up, without the email: records the
/// payment, marks the order paid, issues one ticket per seat and appends the
/// sale to the ledger (free orders: no entry). The amount must be the
/// order's total. Idempotent by the provider's transaction id. Seeds and
/// property tests call this directly; buyers are served by [`pay`].
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn settle(tx: &mut TenantTx, id: OrderId, r: Receipt<'_>) -> Result<Paid> {
    if let Some(txn) = r.provider_txn_id
        && let Some(seen) = payments::by_txn(tx, txn).await?
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
                && let Some(seen) = payments::by_txn(tx, txn).await?
            {
                return repeat(seen, id);
            }
            return Err(Error::Conflict("the order is already paid".into()));
        }
        other => return Err(Error::Conflict(format!("the order is {other}"))),
    }
    if r.amount_tiyn != order.total_tiyn {
        return Err(soi_core::InputError::new(
            "amount",
            format!("must equal the order's total of {} tiyn", order.total_tiyn),
        )
        .into());
    }
    let payment = payments::insert(tx, id, &r).await?;
    orders::mark_paid(tx, id).await?;
    let lines = order_lines::of_orders(tx, &[id]).await?;
    let seats: Vec<_> = lines
        .iter()
        .map(|l| (l.ticket_type_id, l.quantity))
        .collect();
    tickets::issue(tx, id, &seats).await?;
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
