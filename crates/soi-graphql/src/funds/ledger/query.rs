//! Reading the city's ledger and balance: chapter admins only.

use super::nodes::{EntryNode, LedgerKind};
use crate::plumbing::{in_city, page};
use crate::shared::money::Tiyn;
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use soi_core::LedgerEntryId;
use soi_db::funds::ledger;

#[derive(Default)]
pub struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// The city's ledger, newest first.
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries of this kind.")] kind: Option<LedgerKind>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the previous page's last entry.")] after: Option<String>,
    ) -> Result<Connection<String, EntryNode>> {
        let (page, pager) = page::<LedgerEntryId>(first, after.as_deref())?;
        let kind = kind.map(Into::into);
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            ledger::list(tx, kind, page).await
        })
        .await?;
        Ok(pager.connection(rows, |e| e.id.to_string(), EntryNode))
    }

    /// The city's balance: the sum of its ledger. Negative when expenses
    /// were recorded beyond it (money advanced, owed back).
    async fn balance(&self, ctx: &Context<'_>) -> Result<Tiyn> {
        in_city(ctx, ADMINS, async |tx, _| ledger::balance(tx).await)
            .await
            .map(Tiyn)
    }
}
