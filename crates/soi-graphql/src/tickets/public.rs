//! Buying tickets without an account: `reserveTickets` holds seats and
//! hands out an access key once; `ticketOrder` shows the order and, once it
//! is paid, its tickets to whoever has the order id and that key (only its
//! SHA-256 is stored, and 128 random bits are not guessed).

use super::nodes::{Bundle, OrderItem, OrderStatusGql, TicketNode, bundle};
use super::reserve_many::ReserveMany;
use crate::plumbing::error::db_error;
use crate::plumbing::request::RequestCtx;
use crate::plumbing::throttle::{RESERVE_PER_CITY, RESERVE_PER_CLIENT};
use crate::plumbing::{Valid, admit, audit_trail, bad_input, found, in_public_city, parse_id};
use crate::shared::lang::Lang;
use crate::shared::money::Tiyn;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use soi_cache::Redis;
use soi_core::{Email, EventId, OrderId, TicketTypeId, text};
use soi_db::Db;
use soi_db::tickets::orders::{self, Buyer};
use soi_service::tickets::Wish;

/// Seats of one ticket type to reserve.
#[derive(InputObject)]
pub struct TicketItemInput {
    /// The ticket type (of the event).
    pub ticket_type_id: ID,
    /// Seats of this type, 1–20 (at most 20 in the whole order).
    pub quantity: i32,
}

/// A reservation: who buys what.
#[derive(InputObject)]
pub struct ReserveTicketsInput {
    /// The event (published, not yet begun).
    pub event_id: ID,
    /// The buyer's name, 1–200 characters.
    pub buyer_name: String,
    /// Where the tickets are sent.
    pub buyer_email: String,
    /// The language of the buyer's messages.
    pub language: Lang,
    /// Ticket types and quantities, each type once.
    pub items: Vec<TicketItemInput>,
}

/// Ticket types and quantities of an order.
type Lines = Vec<(TicketTypeId, i32)>;

impl ReserveTicketsInput {
    fn validate(&self) -> Result<(EventId, Buyer, Lines)> {
        let event: EventId = parse_id("eventId", &self.event_id)?;
        let buyer = Buyer {
            name: text::bounded("buyerName", &self.buyer_name, text::MAX_LINE).valid()?,
            email: Email::parse(&self.buyer_email)
                .map_err(|e| bad_input("buyerEmail", e.message))?,
            language: self.language.into(),
        };
        let mut lines = Vec::with_capacity(self.items.len());
        for item in &self.items {
            lines.push((
                parse_id("ticketTypeId", &item.ticket_type_id)?,
                item.quantity,
            ));
        }
        orders::validate_lines(&lines).valid()?;
        Ok((event, buyer, lines))
    }
}

/// Seats held for a buyer, and the key to their tickets.
#[derive(SimpleObject)]
pub struct TicketReservation {
    /// The order's id.
    pub order_id: ID,
    /// The secret that opens `ticketOrder`: shown once, keep it (it is not
    /// stored, so it cannot be shown again).
    pub access_key: String,
    /// `HELD` until paid or lapsed.
    pub status: OrderStatusGql,
    /// When the hold lapses unless paid.
    pub expires_at: DateTime<Utc>,
    /// What to pay.
    pub total: Tiyn,
    /// Seats by ticket type.
    pub items: Vec<OrderItem>,
}

pub struct BuyerOrderNode(Bundle);

/// An order as its buyer sees it.
#[Object(name = "BuyerOrder")]
impl BuyerOrderNode {
    /// The order's id.
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }
    /// The event.
    async fn event_id(&self) -> ID {
        ID(self.0.order.event_id.to_string())
    }
    /// Where the order stands.
    async fn status(&self) -> OrderStatusGql {
        self.0.order.status.into()
    }
    /// What it costs.
    async fn total(&self) -> Tiyn {
        Tiyn(self.0.order.total_tiyn)
    }
    /// When the hold lapses unless paid.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.order.expires_at
    }
    /// When it was paid.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.order.paid_at
    }
    /// Seats by ticket type.
    async fn items(&self) -> Vec<OrderItem> {
        self.0.items()
    }
    /// The tickets with their codes and QR codes (empty until paid).
    async fn tickets(&self) -> Vec<TicketNode> {
        self.0.ticket_nodes()
    }
}

#[derive(Default)]
pub struct TicketPublicQuery;

#[Object]
impl TicketPublicQuery {
    /// A buyer's order with its tickets (public; no sign-in): needs the
    /// access key `reserveTickets` gave. Null for a wrong key or order.
    async fn ticket_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
        #[graphql(desc = "The order's id.")] order_id: ID,
        #[graphql(desc = "The access key from the reservation.")] access_key: String,
    ) -> Result<Option<BuyerOrderNode>> {
        let id: OrderId = parse_id("orderId", &order_id)?;
        if access_key.len() > 64 {
            return Ok(None);
        }
        let got = in_public_city(ctx, &city, &[], async |tx| {
            match found(orders::by_access_key(tx, id, &access_key).await)? {
                Some(order) => Ok(bundle(tx, vec![order]).await?.pop()),
                None => Ok(None),
            }
        })
        .await?;
        Ok(got.map(BuyerOrderNode))
    }
}

#[derive(Default)]
pub struct TicketPublicMutation;

#[Object]
impl TicketPublicMutation {
    /// Holds seats of a published event for a buyer (public; no sign-in)
    /// until the event's hold time runs out. All items or none; a type
    /// without enough seats fails the whole reservation with `CONFLICT`.
    async fn reserve_tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
        #[graphql(desc = "The event, the buyer and the seats wanted.")] input: ReserveTicketsInput,
    ) -> Result<TicketReservation> {
        let (event, buyer, lines) = input.validate()?;
        let city = admit(ctx, &city, &[RESERVE_PER_CLIENT, RESERVE_PER_CITY]).await?;
        // Made together with the event's other reservations waiting on this
        // gateway (see `reserve_many`): audited and announced there.
        let req = ctx.data::<RequestCtx>()?;
        let db = ctx.data::<Db>()?;
        let redis = ctx.data_opt::<Option<Redis>>().and_then(Option::as_ref);
        let r = ctx
            .data::<ReserveMany>()?
            .reserve(
                (db, redis),
                (city, event),
                Wish { buyer, lines },
                audit_trail::entry(ctx),
            )
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        Ok(TicketReservation {
            order_id: ID(r.order.id.to_string()),
            access_key: r.access_key,
            status: r.order.status.into(),
            expires_at: r.order.expires_at,
            total: Tiyn(r.order.total_tiyn),
            items: r
                .lines
                .into_iter()
                .map(|(l, name)| OrderItem {
                    ticket_type_id: ID(l.ticket_type_id.to_string()),
                    ticket_type_name: name,
                    quantity: l.quantity,
                    unit_price: Tiyn(l.unit_price_tiyn),
                })
                .collect(),
        })
    }
}
