//! Reading a season's training groups: chapter admins and coaches.

use super::nodes::GroupNode;
use crate::plumbing::{found, in_city, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{GroupId, Role, SeasonId};
use soi_db::program::groups;

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// A season's groups by name; empty for a season of another city.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The season's id.")] season_id: ID,
    ) -> Result<Vec<GroupNode>> {
        let season: SeasonId = parse_id("seasonId", &season_id)?;
        let rows = in_city(ctx, STAFF, async |tx, _| {
            groups::list_by_season(tx, season).await
        })
        .await?;
        Ok(rows.into_iter().map(GroupNode).collect())
    }

    /// One group of the city; null when there is none with this id here.
    async fn group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's id.")] id: ID,
    ) -> Result<Option<GroupNode>> {
        let id: GroupId = parse_id("id", &id)?;
        in_city(ctx, STAFF, async |tx, _| found(groups::get(tx, id).await))
            .await
            .map(|g| g.map(GroupNode))
    }

    /// The groups the signed-in coach trains, by name.
    async fn my_groups(&self, ctx: &Context<'_>) -> Result<Vec<GroupNode>> {
        let rows = in_city(ctx, &[Role::Coach], async |tx, who| match who.coach() {
            Some(coach) => groups::of_coach(tx, coach).await,
            // A coach's token always names their coach row.
            None => Err(soi_db::Error::Forbidden),
        })
        .await?;
        Ok(rows.into_iter().map(GroupNode).collect())
    }
}
