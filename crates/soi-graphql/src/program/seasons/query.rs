//! Reading the city's seasons: chapter admins and coaches.

use super::nodes::SeasonNode;
use crate::plumbing::{found, in_city, page, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::SeasonId;
use soi_db::program::seasons;

#[derive(Default)]
pub struct SeasonQuery;

#[Object]
impl SeasonQuery {
    /// The city's seasons, newest first.
    async fn seasons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SeasonNode>> {
        let (page, pager) = page::<SeasonId>(first, after.as_deref())?;
        let rows = in_city(ctx, STAFF, async |tx, _| seasons::list(tx, page).await).await?;
        Ok(pager.connection(rows, |s| s.id.to_string(), SeasonNode))
    }

    /// One season of the city; null when there is none with this id here.
    async fn season(&self, ctx: &Context<'_>, id: ID) -> Result<Option<SeasonNode>> {
        let id: SeasonId = parse_id("id", &id)?;
        in_city(ctx, STAFF, async |tx, _| found(seasons::get(tx, id).await))
            .await
            .map(|s| s.map(SeasonNode))
    }
}
