//! Reading an event's orders, with buyers' contacts: chapter admins.

use super::nodes::{OrderStatusGql, TicketOrderNode, bundle};
use crate::plumbing::{in_city, page, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{EventId, OrderId};
use soi_db::tickets::orders;

#[derive(Default)]
pub struct TicketQuery;

#[Object]
impl TicketQuery {
    /// An event's orders, oldest first, with buyers' contacts (chapter admins).
    async fn ticket_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] event_id: ID,
        #[graphql(desc = "Only orders in this status.")] status: Option<OrderStatusGql>,
        #[graphql(desc = "Orders per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last order seen.")] after: Option<String>,
    ) -> Result<Connection<String, TicketOrderNode>> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let (p, pager) = page::<OrderId>(first, after.as_deref())?;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            let list = orders::list_for_event(tx, event, status.map(Into::into), p).await?;
            bundle(tx, list).await
        })
        .await?;
        Ok(pager.connection(rows, |b| b.order.id.to_string(), TicketOrderNode))
    }
}
