//! Reading the city's events: chapter admins and coaches.

use super::nodes::EventNode;
use crate::plumbing::{found, in_city, parse_id, parse_opt_id};
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{EventId, SeasonId};
use soi_db::events::events;

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The city's events in time order, of one season or of all.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this season's events.")] season_id: Option<ID>,
    ) -> Result<Vec<EventNode>> {
        let season: Option<SeasonId> = parse_opt_id("seasonId", season_id.as_ref())?;
        let (zone, rows) = in_city(ctx, STAFF, async |tx, _| {
            Ok((
                events::city_zone(tx).await?,
                events::list(tx, season).await?,
            ))
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|event| EventNode { event, zone })
            .collect())
    }

    /// One event of the city; null when there is none with this id here.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] id: ID,
    ) -> Result<Option<EventNode>> {
        let id: EventId = parse_id("id", &id)?;
        let (zone, event) = in_city(ctx, STAFF, async |tx, _| {
            Ok((
                events::city_zone(tx).await?,
                found(events::get(tx, id).await)?,
            ))
        })
        .await?;
        Ok(event.map(|event| EventNode { event, zone }))
    }
}
