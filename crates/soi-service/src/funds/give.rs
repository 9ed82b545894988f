//! Money given to a social cause. The gift and its ledger entry are written
//! under the city's ledger lock, after checking the balance covers it, so two
//! gifts at once cannot together spend more than the city holds.

use soi_core::DisbursementId;
use soi_db::funds::disbursements::{self, Disbursement, NewDisbursement};
use soi_db::funds::ledger::{self, Entry, Source};
use soi_db::funds::{causes, tenge};
use soi_db::{Error, Result, TenantTx};

/// Gives money to a cause of this city: `NotFound` for an unknown cause (or
/// another city's), `Conflict` when the balance does not cover the amount.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn give(
    tx: &mut TenantTx,
    id: DisbursementId,
    new: &NewDisbursement,
) -> Result<(Disbursement, Entry)> {
    disbursements::check(new)?;
    causes::get(tx, new.cause).await?;
    ledger::lock(tx).await?;
    let available = ledger::balance(tx).await?;
    if new.amount_tiyn > available {
        return Err(Error::Conflict(format!(
            "only {} tenge available",
            tenge(available.max(0))
        )));
    }
    let gift = disbursements::insert(tx, id, new).await?;
    let entry = ledger::append(tx, Source::Disbursement(id), -gift.amount_tiyn, None).await?;
    Ok((gift, entry))
}
