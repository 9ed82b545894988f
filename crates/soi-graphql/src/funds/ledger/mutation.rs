//! Reversing a ledger entry: chapter admins only. The ledger is append-only:
//! a reversal is a new entry negating the old one.

use super::nodes::{EntryNode, EntryReversed};
use crate::funds::inputs::note;
use crate::plumbing::{in_city, parse_id};
use crate::shared::money::Tiyn;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::LedgerEntryId;
use soi_db::funds::ledger;

#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Cancels a contribution, expense or disbursement entry by appending its
    /// negation. Each entry is reversed once; ticket money is corrected by
    /// refunds; a reversal that would leave the balance negative is refused.
    async fn reverse_ledger_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry to reverse.")] entry_id: ID,
        #[graphql(desc = "Why, 1–400 characters.")] memo: String,
    ) -> Result<EntryReversed> {
        let id: LedgerEntryId = parse_id("entryId", &entry_id)?;
        let memo = note("memo", &memo)?;
        let (entry, balance) = in_city(ctx, ADMINS, async |tx, _| {
            let entry = soi_service::funds::reverse(tx, id, &memo).await?;
            Ok((entry, ledger::balance(tx).await?))
        })
        .await?;
        Ok(EntryReversed {
            ledger_entry: EntryNode(entry),
            balance: Tiyn(balance),
        })
    }
}
