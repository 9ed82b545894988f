//! Reading the city's rinks: chapter admins and coaches.

use super::nodes::RinkNode;
use crate::plumbing::{found, in_city, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use soi_core::RinkId;
use soi_db::program::rinks;

#[derive(Default)]
pub struct RinkQuery;

#[Object]
impl RinkQuery {
    /// The city's rinks by name (a city has a handful, so no pages).
    async fn rinks(&self, ctx: &Context<'_>) -> Result<Vec<RinkNode>> {
        let rows = in_city(ctx, STAFF, async |tx, _| rinks::list(tx).await).await?;
        Ok(rows.into_iter().map(RinkNode).collect())
    }

    /// One rink of the city; null when there is none with this id here.
    async fn rink(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rink's id.")] id: ID,
    ) -> Result<Option<RinkNode>> {
        let id: RinkId = parse_id("id", &id)?;
        in_city(ctx, STAFF, async |tx, _| found(rinks::get(tx, id).await))
            .await
            .map(|r| r.map(RinkNode))
    }
}
