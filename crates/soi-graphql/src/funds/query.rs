//! Reading the city's money: chapter admins only.

use super::nodes::{CauseNode, ContributionNode, SponsorNode};
use crate::plumbing::{found, in_city, page, parse_id, parse_opt_id};
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{ContributionId, SponsorId};
use soi_db::funds::{causes, contributions, sponsors};

#[derive(Default)]
pub struct FundsQuery;

#[Object]
impl FundsQuery {
    /// The city's sponsors by name.
    async fn sponsors(&self, ctx: &Context<'_>) -> Result<Vec<SponsorNode>> {
        let rows = in_city(ctx, ADMINS, async |tx, _| sponsors::list(tx).await).await?;
        Ok(rows.into_iter().map(SponsorNode).collect())
    }

    /// One sponsor of the city; null when there is none with this id here.
    async fn sponsor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sponsor's id.")] id: ID,
    ) -> Result<Option<SponsorNode>> {
        let id: SponsorId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            found(sponsors::get(tx, id).await)
        })
        .await
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
        let sponsor: Option<SponsorId> = parse_opt_id("sponsorId", sponsor_id.as_ref())?;
        let (page, pager) = page::<ContributionId>(first, after.as_deref())?;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            contributions::list(tx, sponsor, page).await
        })
        .await?;
        Ok(pager.connection(rows, |c| c.id.to_string(), ContributionNode))
    }

    /// The city's social causes by title, with what each was given.
    async fn causes(&self, ctx: &Context<'_>) -> Result<Vec<CauseNode>> {
        let rows = in_city(ctx, ADMINS, async |tx, _| causes::list(tx).await).await?;
        Ok(rows.into_iter().map(CauseNode).collect())
    }
}
