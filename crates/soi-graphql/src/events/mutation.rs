//! Preparing events, their ticket types and partners: chapter admins. A
//! done event no longer changes (`CONFLICT`).

use super::inputs::{self, CreateEventInput, PartnerInput, TicketTypeInput, UpdateEventInput};
use super::nodes::{EventNode, PartnerNode, TicketTypeNode};
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::states::EventStatus;
use soi_core::{EventId, PartnerId, TicketTypeId};
use soi_db::events::events;
use soi_db::tickets::ticket_types::{self, Seats};

#[derive(Default)]
pub struct EventMutation;

/// Runs a status move and returns the event.
async fn move_event(ctx: &Context<'_>, id: &ID, next: EventStatus) -> Result<EventNode> {
    let id: EventId = parse_id("id", id)?;
    let (zone, event) = in_city(ctx, ADMINS, async |tx, _| {
        Ok((
            events::city_zone(tx).await?,
            soi_service::events::set_status(tx, id, next).await?,
        ))
    })
    .await?;
    Ok(EventNode { event, zone })
}

#[Object]
impl EventMutation {
    /// Creates a draft event of a season. The start must fall within the
    /// season (from the day before it starts to 14 days after it ends); the
    /// rink and the cause must be the city's (`NOT_FOUND`).
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
    ) -> Result<EventNode> {
        let new = input.validate()?;
        let (zone, event) = in_city(ctx, ADMINS, async |tx, _| {
            Ok((
                events::city_zone(tx).await?,
                soi_service::events::create(tx, EventId::new(), &new).await?,
            ))
        })
        .await?;
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
        let (zone, event) = in_city(ctx, ADMINS, async |tx, _| {
            let current = events::get(tx, id).await?;
            let edit = patch.apply(&current);
            Ok((
                events::city_zone(tx).await?,
                soi_service::events::update(tx, id, &edit).await?,
            ))
        })
        .await?;
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
        let (zone, event) = in_city(ctx, ADMINS, async |tx, _| {
            let event = soi_service::events::set_status(tx, id, EventStatus::Published).await?;
            // The season's participants hear of it, committed with the move.
            soi_mail::kinds::show_announcement(tx, id).await?;
            Ok((events::city_zone(tx).await?, event))
        })
        .await?;
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
        let t = in_city(ctx, ADMINS, async |tx, _| {
            soi_service::tickets::add_ticket_type(
                tx,
                TicketTypeId::new(),
                event,
                &name,
                price,
                quota,
            )
            .await
        })
        .await?;
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
        let seats = in_city(ctx, ADMINS, async |tx, _| {
            let ticket_type = soi_service::tickets::set_quota(tx, id, quota).await?;
            let remaining = ticket_types::remaining(tx, id).await?;
            Ok(Seats {
                ticket_type,
                remaining,
            })
        })
        .await?;
        Ok(TicketTypeNode(seats))
    }

    /// Adds a partner to an event; the name must be new for the event.
    async fn add_event_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] event_id: ID,
        #[graphql(desc = "The partner.")] input: PartnerInput,
    ) -> Result<PartnerNode> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::add_partner(tx, PartnerId::new(), event, &new).await
        })
        .await
        .map(PartnerNode)
    }

    /// Removes a partner from its event; returns the removed partner.
    async fn remove_event_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner's id.")] id: ID,
    ) -> Result<PartnerNode> {
        let id: PartnerId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::remove_partner(tx, id).await
        })
        .await
        .map(PartnerNode)
    }
}
