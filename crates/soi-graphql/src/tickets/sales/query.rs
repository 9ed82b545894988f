//! Reading an event's sales: chapter admins.

use super::nodes::EventSales;
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::EventId;
use soi_db::events::events;
use soi_db::tickets::sales;

#[derive(Default)]
pub struct SalesQuery;

#[Object]
impl SalesQuery {
    /// An event's seats sold, held, left and used, and its revenue (chapter admins).
    async fn event_sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] event_id: ID,
    ) -> Result<EventSales> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            events::get(tx, event).await?;
            sales::for_event(tx, event).await
        })
        .await?;
        Ok(EventSales::of(event_id, rows))
    }
}
