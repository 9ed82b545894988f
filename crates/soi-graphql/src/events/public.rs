//! The public listing of a city's events: no sign-in, the city named by
//! slug. Drafts never show; performers are counted, never named.

use super::nodes::{Kind, PartnerNode, Status, TicketTypeNode, local_time};
use super::performances::PerformanceResult;
use crate::plumbing::page_cache::cached;
use crate::plumbing::public_city::resolve;
use crate::plumbing::{found, in_public_city_id, parse_id};
use crate::program::rinks::RinkNode;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use soi_core::states::{EventKind, EventStatus};
use soi_core::{CityZone, EventId};
use soi_db::TenantTx;
use soi_db::events::events::{self, Event};
use soi_db::events::{event_partners, judge_marks, performances, performers};
use soi_db::program::rinks;
use soi_db::tickets::ticket_types::{self, Seats};

/// A number of a public event.
#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
pub struct PublicPerformance {
    /// Position in the running order, from 1.
    pub running_order: i32,
    /// Title.
    pub title: String,
    /// The social issue the number speaks about.
    pub social_issue: String,
    /// The music.
    pub music: Option<String>,
    /// How many skate in it.
    pub performer_count: i64,
    /// The result, once judges have marked it (competitions only).
    pub result: Option<PerformanceResult>,
}

/// Everything a public event page shows, as read in one transaction (and
/// as cached: see [`crate::plumbing::page_cache`]).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PublicEventNode {
    event: Event,
    zone: CityZone,
    rink: rinks::Rink,
    partners: Vec<event_partners::Partner>,
    performances: Vec<PublicPerformance>,
    seats: Vec<Seats>,
}

/// A published event of a city, as anyone may see it.
#[Object(name = "PublicEvent")]
impl PublicEventNode {
    /// The event's id.
    async fn id(&self) -> ID {
        ID(self.event.id.to_string())
    }
    /// Ice show or competition.
    async fn kind(&self) -> Kind {
        self.event.kind.into()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.event.title
    }
    /// Motto, if any.
    async fn motto(&self) -> Option<&str> {
        self.event.motto.as_deref()
    }
    /// The social problem the event speaks about.
    async fn social_theme(&self) -> &str {
        &self.event.social_theme
    }
    /// The rink it takes place on.
    async fn rink(&self) -> RinkNode {
        RinkNode(self.rink.clone())
    }
    /// When it starts (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.event.starts_at
    }
    /// When it starts on the city's clock, ISO 8601 with the offset.
    async fn starts_at_local(&self) -> String {
        local_time(self.zone, self.event.starts_at)
    }
    /// Published (tickets on sale) or done.
    async fn status(&self) -> Status {
        self.event.status.into()
    }
    /// Organizations the event is made with.
    async fn partners(&self) -> Vec<PartnerNode> {
        self.partners.iter().cloned().map(PartnerNode).collect()
    }
    /// The numbers in running order.
    async fn performances(&self) -> &[PublicPerformance] {
        &self.performances
    }
    /// Ticket types, cheapest first, with the seats left.
    async fn ticket_types(&self) -> Vec<TicketTypeNode> {
        self.seats.iter().cloned().map(TicketTypeNode).collect()
    }
}

/// Everything a public page shows of one event, read in `tx`.
async fn load(
    tx: &mut TenantTx,
    zone: CityZone,
    event: Event,
    seats: Vec<Seats>,
) -> soi_db::Result<PublicEventNode> {
    let rink = rinks::get(tx, event.rink_id).await?;
    let partners = event_partners::list(tx, event.id).await?;
    let numbers = performances::list(tx, event.id).await?;
    let ids: Vec<_> = numbers.iter().map(|p| p.id).collect();
    let counts = performers::counts_of_performances(tx, &ids).await?;
    let standings = if event.kind == EventKind::Competition {
        judge_marks::results(tx, event.id).await?
    } else {
        Vec::new()
    };
    let performances = numbers
        .into_iter()
        .map(|p| PublicPerformance {
            performer_count: counts
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n),
            result: standings
                .iter()
                .find(|s| s.performance_id == p.id)
                .map(PerformanceResult::from),
            running_order: p.running_order,
            title: p.title,
            social_issue: p.social_issue,
            music: p.music,
        })
        .collect();
    Ok(PublicEventNode {
        event,
        zone,
        rink,
        partners,
        performances,
        seats,
    })
}

#[derive(Default)]
pub struct EventPublicQuery;

#[Object]
impl EventPublicQuery {
    /// A city's published events that have not long begun (up to a day
    /// ago), in time order, with tickets and seats left. No sign-in.
    async fn public_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. `almaty`.")] city: String,
    ) -> Result<Vec<PublicEventNode>> {
        let id = resolve(ctx, &city).await?;
        cached(ctx, id, "public-events", &[], || {
            in_public_city_id(ctx, id, &[], async |tx| {
                let zone = events::city_zone(tx).await?;
                let listed = soi_service::events::published_with_remaining(tx).await?;
                let mut out = Vec::with_capacity(listed.len());
                for (event, seats) in listed {
                    out.push(load(tx, zone, event, seats).await?);
                }
                Ok(out)
            })
        })
        .await
    }

    /// One published or done event of a city; null for a draft or an id
    /// that is not the city's. No sign-in.
    async fn public_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. `almaty`.")] city: String,
        #[graphql(desc = "The event's id.")] id: ID,
    ) -> Result<Option<PublicEventNode>> {
        let id: EventId = parse_id("id", &id)?;
        let city_id = resolve(ctx, &city).await?;
        let event_key = id.to_string();
        cached(ctx, city_id, "public-event", &[&event_key], || {
            in_public_city_id(ctx, city_id, &[], async |tx| {
                match found(events::get(tx, id).await)? {
                    Some(event) if event.status != EventStatus::Draft => {
                        let zone = events::city_zone(tx).await?;
                        let seats = ticket_types::list_with_remaining(tx, id).await?;
                        Ok(Some(load(tx, zone, event, seats).await?))
                    }
                    _ => Ok(None),
                }
            })
        })
        .await
    }
}
