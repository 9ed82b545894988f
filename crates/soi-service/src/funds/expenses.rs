//! Money the chapter spent, with its ledger entry. An expense larger than
//! the balance is accepted: it already happened (someone advanced the money).

use soi_core::ExpenseId;
use soi_db::funds::expenses::{self, Expense, NewExpense};
use soi_db::funds::ledger::{self, Entry, Source};
use soi_db::{Result, TenantTx};

/// Records an expense and its ledger entry (−amount).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn record_expense(
    tx: &mut TenantTx,
    id: ExpenseId,
    new: &NewExpense,
) -> Result<(Expense, Entry)> {
    let expense = expenses::insert(tx, id, new).await?;
    let entry = ledger::append(tx, Source::Expense(id), -expense.amount_tiyn, None).await?;
    Ok((expense, entry))
}
