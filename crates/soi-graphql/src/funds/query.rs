//! Reading the city's money: chapter admins only.

use super::nodes::{CauseNode, ContributionNode, EntryNode, LedgerKind, SponsorNode};
use crate::money::Tiyn;
use crate::seasons::ADMINS;
use crate::support::{connection, found, in_city, page, parse_id};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{ContributionId, LedgerEntryId, SponsorId};
use soi_db::funds::{causes, contributions, sponsors};
use soi_db::ledger;

#[derive(Default)]
pub struct FundsQuery;

#[Object]
impl FundsQuery {
    /// The city's sponsors by name.
    async fn sponsors(&self, ctx: &Context<'_>) -> Result<Vec<SponsorNode>> {
        let rows = in_city!(ctx, ADMINS, |tx, _| sponsors::list(&mut tx).await?)?;
        Ok(rows.into_iter().map(SponsorNode).collect())
    }

    /// One sponsor of the city; null when there is none with this id here.
    async fn sponsor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sponsor's id.")] id: ID,
    ) -> Result<Option<SponsorNode>> {
        let id: SponsorId = parse_id("id", &id)?;
        in_city!(ctx, ADMINS, |tx, _| found(
            sponsors::get(&mut tx, id).await
        )?)
        .map(|s| s.map(SponsorNode))
    }

    /// Contributions, oldest first, of one sponsor or of all.
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this sponsor's.")] sponsor_id: Option<ID>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the previous page's last contribution.")] after: Option<String>,
    ) -> Result<Connection<String, ContributionNode>> {
        let sponsor: Option<SponsorId> = sponsor_id
            .as_ref()
            .map(|s| parse_id("sponsorId", s))
            .transpose()?;
        let (page, wanted) = page::<ContributionId>(first, after.as_deref())?;
        let rows = in_city!(ctx, ADMINS, |tx, _| contributions::list(
            &mut tx, sponsor, page
        )
        .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |c| c.id.to_string(),
            ContributionNode,
        ))
    }

    /// The city's social causes by title, with what each was given.
    async fn causes(&self, ctx: &Context<'_>) -> Result<Vec<CauseNode>> {
        let rows = in_city!(ctx, ADMINS, |tx, _| causes::list(&mut tx).await?)?;
        Ok(rows.into_iter().map(CauseNode).collect())
    }

    /// The city's ledger, newest first.
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries of this kind.")] kind: Option<LedgerKind>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the previous page's last entry.")] after: Option<String>,
    ) -> Result<Connection<String, EntryNode>> {
        let (page, wanted) = page::<LedgerEntryId>(first, after.as_deref())?;
        let kind = kind.map(Into::into);
        let rows = in_city!(ctx, ADMINS, |tx, _| ledger::list(&mut tx, kind, page)
            .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |e| e.id.to_string(),
            EntryNode,
        ))
    }

    /// The city's balance: the sum of its ledger. Negative when expenses
    /// were recorded beyond it (money advanced, owed back).
    async fn balance(&self, ctx: &Context<'_>) -> Result<Tiyn> {
        in_city!(ctx, ADMINS, |tx, _| ledger::balance(&mut tx).await?).map(Tiyn)
    }
}
