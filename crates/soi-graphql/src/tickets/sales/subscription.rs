//! An event's sales, live: for chapter admins of its city, re-read after
//! every change signal of the city (a sale, hold, refund or scan).

use super::nodes::EventSales;
use crate::plumbing::live::watch_city;
use crate::plumbing::parse_id;
use crate::plumbing::run::tenant_tx;
use crate::shared::roles::ADMINS;
use async_graphql::futures_util::stream::{Stream, StreamExt};
use async_graphql::{Context, ID, Result, Subscription};
use soi_core::{CityScope, EventId};
use soi_db::Db;
use soi_db::events::events;
use soi_db::tickets::sales;

async fn read_sales(
    db: &Db,
    scope: &CityScope,
    event: EventId,
) -> soi_db::Result<Vec<sales::TypeSales>> {
    tenant_tx(db, scope, async |tx| {
        events::get(tx, event).await?;
        sales::for_event(tx, event).await
    })
    .await
}

#[derive(Default)]
pub struct SalesSubscription;

#[Subscription]
impl SalesSubscription {
    /// An event's sales, for chapter admins of its city. The figures now,
    /// then again whenever a sale, hold, refund or scan changes them.
    async fn ticket_sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] event_id: ID,
    ) -> Result<impl Stream<Item = EventSales>> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let updates = watch_city(ctx, ADMINS, move |db, scope| async move {
            read_sales(&db, &scope, event).await
        })
        .await?;
        Ok(updates.map(move |rows| EventSales::of(event_id.clone(), rows)))
    }
}
