//! Events of a season (ice show or competition): reading them (admins and
//! coaches), preparing them and their tickets (admins), and the public
//! listing. Every resolver opens a tenant transaction for the city of the
//! signed-in user (or, public, the city named by slug); an event's rink,
//! partners, numbers and tickets load through the request's DataLoaders, one
//! transaction per kind for every event of the response.

mod inputs;
mod nodes;
mod numbers;
mod program;
mod public;

pub use public::PublicEventQuery;

use crate::seasons::{ADMINS, READERS};
use crate::support::{found, in_city, parse_id};
use async_graphql::{Context, ID, MergedObject, Object, Result};
use inputs::{CreateEventInput, TicketTypeInput, UpdateEventInput};
use nodes::{EventNode, TicketTypeNode};
use soi_core::program::EventStatus;
use soi_core::{EventId, SeasonId, TicketTypeId};
use soi_db::events;
use soi_db::ticket_types::{self, Seats};

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
        let season: Option<SeasonId> = season_id
            .as_ref()
            .map(|s| parse_id("seasonId", s))
            .transpose()?;
        let (zone, rows) = in_city!(ctx, READERS, |tx, _| (
            events::city_zone(&mut tx).await?,
            events::list(&mut tx, season).await?
        ))?;
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
        let (zone, event) = in_city!(ctx, READERS, |tx, _| (
            events::city_zone(&mut tx).await?,
            found(events::get(&mut tx, id).await)?
        ))?;
        Ok(event.map(|event| EventNode { event, zone }))
    }
}

/// Every event mutation: the event and its tickets, and its programme.
#[derive(MergedObject, Default)]
pub struct EventMutation(EventCoreMutation, program::EventProgramMutation);

#[derive(Default)]
pub struct EventCoreMutation;

/// Runs a status move and returns the event.
async fn move_event(ctx: &Context<'_>, id: &ID, next: EventStatus) -> Result<EventNode> {
    let id: EventId = parse_id("id", id)?;
    let (zone, event) = in_city!(ctx, ADMINS, |tx, _| (
        events::city_zone(&mut tx).await?,
        soi_service::events::set_status(&mut tx, id, next).await?
    ))?;
    Ok(EventNode { event, zone })
}

#[Object]
impl EventCoreMutation {
    /// Creates a draft event of a season. The start must fall within the
    /// season (from the day before it starts to 14 days after it ends); the
    /// rink and the cause must be the city's (`NOT_FOUND`).
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
    ) -> Result<EventNode> {
        let new = input.validate()?;
        let (zone, event) = in_city!(ctx, ADMINS, |tx, _| (
            events::city_zone(&mut tx).await?,
            soi_service::events::create(&mut tx, EventId::new(), &new).await?
        ))?;
        Ok(EventNode { event, zone })
    }

    /// Changes a draft or published event; a done one is a `CONFLICT`.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateEventInput,
    ) -> Result<EventNode> {
        let id: EventId = parse_id("id", &id)?;
        let patch = input.validate()?;
        let (zone, event) = in_city!(ctx, ADMINS, |tx, _| {
            let current = events::get(&mut tx, id).await?;
            let edit = patch.apply(&current);
            (
                events::city_zone(&mut tx).await?,
                soi_service::events::update(&mut tx, id, &edit).await?,
            )
        })?;
        Ok(EventNode { event, zone })
    }

    /// Publishes a draft: it appears in the public listing and tickets go on
    /// sale. Needs at least one ticket type (`CONFLICT` otherwise).
    async fn publish_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] id: ID,
    ) -> Result<EventNode> {
        let id: EventId = parse_id("id", &id)?;
        let (zone, event) = in_city!(ctx, ADMINS, |tx, _| {
            let event =
                soi_service::events::set_status(&mut tx, id, EventStatus::Published).await?;
            // The season's participants hear of it, committed with the move.
            soi_mail::kinds::show_announcement(&mut tx, id).await?;
            (events::city_zone(&mut tx).await?, event)
        })?;
        Ok(EventNode { event, zone })
    }

    /// Marks a published event as done; nothing of it changes afterwards.
    async fn mark_event_done(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] id: ID,
    ) -> Result<EventNode> {
        move_event(ctx, &id, EventStatus::Done).await
    }

    /// Adds a ticket type to a draft or published event; the name must be
    /// new for the event (`CONFLICT`).
    async fn add_ticket_type(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] event_id: ID,
        #[graphql(desc = "The ticket type.")] input: TicketTypeInput,
    ) -> Result<TicketTypeNode> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let (name, price, quota) = input.validate()?;
        let t = in_city!(ctx, ADMINS, |tx, _| soi_service::tickets::add_ticket_type(
            &mut tx,
            TicketTypeId::new(),
            event,
            &name,
            price,
            quota
        )
        .await?)?;
        let remaining = i64::from(t.quota);
        Ok(TicketTypeNode(Seats {
            ticket_type: t,
            remaining,
        }))
    }

    /// Changes a ticket type's quota; it cannot drop below the seats taken
    /// (`CONFLICT`).
    async fn set_ticket_quota(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket type's id.")] id: ID,
        #[graphql(desc = "Seats of this type, 1–100000.")] quota: i32,
    ) -> Result<TicketTypeNode> {
        let id: TicketTypeId = parse_id("id", &id)?;
        let quota = inputs::quota(quota)?;
        let seats = in_city!(ctx, ADMINS, |tx, _| {
            let ticket_type = soi_service::tickets::set_quota(&mut tx, id, quota).await?;
            let remaining = ticket_types::remaining(&mut tx, id).await?;
            Seats {
                ticket_type,
                remaining,
            }
        })?;
        Ok(TicketTypeNode(seats))
    }
}
