//! A sponsor's pledge received: money enters the ledger in the same
//! transaction; goods and services given in kind never do.

use chrono::NaiveDate;
use soi_core::{ContributionId, InputError};
use soi_db::funds::contributions::{self, Contribution};
use soi_db::funds::ledger::{self, Entry, Source};
use soi_db::funds::{ContributionForm, ContributionStatus};
use soi_db::{Error, Result, TenantTx};

/// Marks a pledge received. Money is appended to the ledger (the returned
/// entry); in kind is not. Receiving twice, or after a reversal, is a
/// `Conflict`.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn receive(
    tx: &mut TenantTx,
    id: ContributionId,
    received_on: NaiveDate,
) -> Result<(Contribution, Option<Entry>)> {
    let current = contributions::lock(tx, id).await?;
    if current.status != ContributionStatus::Pledged {
        return Err(Error::Conflict(format!(
            "the contribution is already {}",
            current.status.code()
        )));
    }
    if received_on < current.pledged_on {
        return Err(InputError::new("receivedOn", "must not be before the pledge").into());
    }
    let received = contributions::mark_received(tx, id, received_on).await?;
    let entry = match received.form {
        ContributionForm::Money => {
            Some(ledger::append(tx, Source::Contribution(id), received.amount_tiyn, None).await?)
        }
        ContributionForm::InKind => None,
    };
    Ok((received, entry))
}
