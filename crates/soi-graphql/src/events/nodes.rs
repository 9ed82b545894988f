//! Events as the city's admins and coaches see them. An event's rink,
//! partners, numbers and tickets load through the request's loaders, one
//! batch per kind for every event of the response.

use super::performances::{PerformanceNode, assemble};
use crate::plumbing::loaders::{PartnersOf, ProgrammeOf, RinkOf, TicketTypesOf};
use crate::plumbing::request::RequestCtx;
use crate::plumbing::{Load, mirror_enum};
use crate::program::rinks::RinkNode;
use crate::shared::money::Tiyn;
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use soi_core::CityZone;
use soi_core::states::{EventKind, EventStatus};
use soi_db::events::event_partners::Partner;
use soi_db::events::events::Event;
use soi_db::tickets::ticket_types::Seats;

mirror_enum! {
    /// What the event is.
    #[graphql(name = "EventKind")]
    Kind <=> EventKind {
        /// A show of the season's numbers.
        IceShow,
        /// Numbers judged by marks, with placements.
        Competition,
    }
}

mirror_enum! {
    /// Where the event is: draft → published (tickets on sale) → done.
    #[graphql(name = "EventStatus")]
    Status <=> EventStatus {
        /// Being prepared; not public.
        Draft,
        /// Public, tickets on sale.
        Published,
        /// Over; nothing changes any more.
        Done,
    }
}

/// The event's start in the city's zone, ISO 8601 with the offset.
pub fn local_time(zone: CityZone, at: DateTime<Utc>) -> String {
    zone.local(at).to_rfc3339()
}

/// An event's parts load only for those who may read events: the same
/// check as the event queries, before each load.
fn staff_only(ctx: &Context<'_>) -> Result<()> {
    ctx.data::<RequestCtx>()?.city_scope(STAFF)?;
    Ok(())
}

pub struct EventNode {
    pub event: Event,
    pub zone: CityZone,
}

/// An ice show or competition of a season.
#[Object(name = "Event")]
impl EventNode {
    /// The event's id.
    async fn id(&self) -> ID {
        ID(self.event.id.to_string())
    }
    /// The season it belongs to.
    async fn season_id(&self) -> ID {
        ID(self.event.season_id.to_string())
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
    async fn rink(&self, ctx: &Context<'_>) -> Result<RinkNode> {
        staff_only(ctx)?;
        ctx.load_required(RinkOf(self.event.rink_id), "rink")
            .await
            .map(RinkNode)
    }
    /// When it starts (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.event.starts_at
    }
    /// When it starts on the city's clock, ISO 8601 with the offset.
    async fn starts_at_local(&self) -> String {
        local_time(self.zone, self.event.starts_at)
    }
    /// Draft, published or done.
    async fn status(&self) -> Status {
        self.event.status.into()
    }
    /// Minutes an unpaid reservation is held.
    async fn hold_minutes(&self) -> i32 {
        self.event.hold_minutes
    }
    /// The social cause the ticket money goes to, if set.
    async fn cause_id(&self) -> Option<ID> {
        self.event.cause_id.map(|c| ID(c.to_string()))
    }
    /// Organizations the event is made with, by name.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<PartnerNode>> {
        staff_only(ctx)?;
        let rows = ctx.load(PartnersOf(self.event.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(PartnerNode)
            .collect())
    }
    /// The numbers in running order, with performers and results.
    async fn performances(&self, ctx: &Context<'_>) -> Result<Vec<PerformanceNode>> {
        staff_only(ctx)?;
        let p = ctx
            .load(ProgrammeOf(self.event.id))
            .await?
            .unwrap_or_default();
        Ok(assemble(p.performances, p.performers, &p.standings))
    }
    /// Ticket types, cheapest first, with the seats left.
    async fn ticket_types(&self, ctx: &Context<'_>) -> Result<Vec<TicketTypeNode>> {
        staff_only(ctx)?;
        let rows = ctx.load(TicketTypesOf(self.event.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(TicketTypeNode)
            .collect())
    }
}

pub struct PartnerNode(pub Partner);

/// An organization an event is made with.
#[Object(name = "EventPartner")]
impl PartnerNode {
    /// The partner's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the partner brings.
    async fn contribution(&self) -> Option<&str> {
        self.0.contribution.as_deref()
    }
    /// The partner's website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
}

pub struct TicketTypeNode(pub Seats);

/// A kind of seat of an event, with its price and the seats left.
#[Object(name = "TicketType")]
impl TicketTypeNode {
    /// The ticket type's id.
    async fn id(&self) -> ID {
        ID(self.0.ticket_type.id.to_string())
    }
    /// Name, e.g. "Parterre".
    async fn name(&self) -> &str {
        &self.0.ticket_type.name
    }
    /// Price of one ticket in tiyn.
    async fn price_tiyn(&self) -> Tiyn {
        Tiyn(self.0.ticket_type.price_tiyn)
    }
    /// Seats of this type in all.
    async fn quota(&self) -> i32 {
        self.0.ticket_type.quota
    }
    /// Seats a buyer can still get.
    async fn remaining(&self) -> i64 {
        self.0.remaining
    }
}
