//! Correcting the ledger: an entry is cancelled by appending its negation,
//! under the city's ledger lock.

use soi_core::{ContributionId, LedgerEntryId};
use soi_db::funds::ledger::{self, Entry, Kind, Source};
use soi_db::funds::{contributions, tenge};
use soi_db::{Error, Result, TenantTx};

/// Cancels an entry by appending its negation, under the city's lock.
///
/// Only contributions, expenses and disbursements are reversed here: ticket
/// money is corrected by refunding the order, and a reversal is final (record
/// the movement again instead). Each entry is reversed at most once. A
/// reversal that takes money out (of a contribution) must leave the balance
/// non-negative: money already given away cannot be un-received. Reversing a
/// contribution marks it `reversed`.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn reverse(tx: &mut TenantTx, id: LedgerEntryId, memo: &str) -> Result<Entry> {
    let memo = soi_core::text::bounded("memo", memo, 400)?;
    ledger::lock(tx).await?;
    let original = ledger::get(tx, id).await?;
    match Kind::parse(&original.kind)? {
        Kind::Contribution | Kind::Expense | Kind::Disbursement => {}
        Kind::TicketSale | Kind::Refund => {
            return Err(Error::Conflict(
                "ticket sales and refunds are not reversed: refund the order instead".into(),
            ));
        }
        Kind::Reversal => {
            return Err(Error::Conflict(
                "a reversal cannot be reversed: record the movement again".into(),
            ));
        }
    }
    if ledger::reversed_by(tx, id).await?.is_some() {
        return Err(Error::Conflict("this entry is already reversed".into()));
    }
    let amount = -original.amount_tiyn;
    if amount < 0 {
        let available = ledger::balance(tx).await?;
        if available.checked_add(amount).is_none_or(|after| after < 0) {
            return Err(Error::Conflict(format!(
                "only {} tenge available; reversing this entry needs {}",
                tenge(available.max(0)),
                tenge(-amount)
            )));
        }
    }
    let entry = ledger::append(tx, Source::Reversal(id), amount, Some(&memo)).await?;
    if let Some(c) = original.contribution_id {
        contributions::mark_reversed(tx, ContributionId::from_uuid(c)).await?;
    }
    Ok(entry)
}
