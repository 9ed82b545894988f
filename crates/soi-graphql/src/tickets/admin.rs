//! Ticketing for the city's staff: chapter admins see orders (with buyers'
//! contacts), record payments, refund and cancel holds, and read an event's
//! sales; admins and coaches check tickets in at the door.

use super::nodes::{MethodGql, OrderStatusGql, TicketOrderNode, bundle};
use crate::money::Tiyn;
use crate::seasons::{ADMINS, READERS};
use crate::support::{Valid, bad_input, connection, in_city, page, parse_id};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use soi_core::{CityZone, EventId, OrderId, text};
use soi_db::payments::{PaymentMethod, Receipt};
use soi_db::sales::{self, TypeSales};
use soi_db::{events, orders, tickets};

/// Longest reason kept for a refund or cancellation.
const MAX_REASON: usize = 400;

/// One ticket type's sales.
#[derive(SimpleObject)]
pub struct TicketTypeSales {
    /// The ticket type.
    pub ticket_type_id: ID,
    /// Its name.
    pub name: String,
    /// Price of one seat.
    pub price: Tiyn,
    /// Seats for sale in all.
    pub quota: i32,
    /// Seats paid for.
    pub sold: i64,
    /// Seats held for buyers who have not paid yet.
    pub held: i64,
    /// Seats a buyer can still get (lapsed holds count as free).
    pub remaining: i64,
    /// Tickets scanned at the door.
    pub checked_in: i64,
    /// Money taken (paid orders; refunds excluded).
    pub revenue: Tiyn,
}

impl From<TypeSales> for TicketTypeSales {
    fn from(s: TypeSales) -> Self {
        Self {
            ticket_type_id: ID(s.ticket_type_id.to_string()),
            remaining: s.remaining(),
            name: s.name,
            price: Tiyn(s.price_tiyn),
            quota: s.quota,
            sold: s.sold,
            held: s.held,
            checked_in: s.checked_in,
            revenue: Tiyn(s.revenue_tiyn),
        }
    }
}

/// An event's sales, in all and by ticket type.
#[derive(SimpleObject)]
pub struct EventSales {
    /// The event.
    pub event_id: ID,
    /// Seats for sale in all.
    pub quota: i64,
    /// Seats paid for.
    pub sold: i64,
    /// Seats held for buyers who have not paid yet.
    pub held: i64,
    /// Seats a buyer can still get.
    pub remaining: i64,
    /// Tickets scanned at the door.
    pub checked_in: i64,
    /// Money taken.
    pub revenue: Tiyn,
    /// The same by ticket type, cheapest first.
    pub ticket_types: Vec<TicketTypeSales>,
}

/// What a scan at the door found. A second scan of a ticket is not an
/// error: `admitted` is false and `firstUsedAt` says when it was used.
#[derive(SimpleObject)]
pub struct CheckInResult {
    /// True for the first scan of a valid ticket only: let the holder in.
    pub admitted: bool,
    /// When the ticket was first scanned (this scan, when admitted).
    pub first_used_at: DateTime<Utc>,
    /// The same in the city's local time, e.g. "2026-12-20 18:42 (Asia/Almaty)".
    pub first_used_local: String,
    /// The ticket type's name.
    pub ticket_type_name: String,
    /// The event the ticket is for (check it is tonight's).
    pub event_id: ID,
    /// A line for the door staff.
    pub message: String,
}

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
        let (p, wanted) = page::<OrderId>(first, after.as_deref())?;
        let rows = in_city!(ctx, ADMINS, |tx, _| {
            let list = orders::list_for_event(&mut tx, event, status.map(Into::into), p).await?;
            bundle(&mut tx, list).await?
        })?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |b| b.order.id.to_string(),
            TicketOrderNode,
        ))
    }

    /// An event's seats sold, held, left and used, and its revenue (chapter admins).
    async fn event_sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] event_id: ID,
    ) -> Result<EventSales> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let rows = in_city!(ctx, ADMINS, |tx, _| {
            events::get(&mut tx, event).await?;
            sales::for_event(&mut tx, event).await?
        })?;
        Ok(EventSales::of(event_id, rows))
    }
}

impl EventSales {
    /// Totals and per-type figures of an event's sales rows.
    pub(crate) fn of(event_id: ID, rows: Vec<TypeSales>) -> Self {
        let sum = |f: fn(&TypeSales) -> i64| rows.iter().map(f).sum::<i64>();
        Self {
            event_id,
            quota: sum(|s| i64::from(s.quota)),
            sold: sum(|s| s.sold),
            held: sum(|s| s.held),
            remaining: sum(TypeSales::remaining),
            checked_in: sum(|s| s.checked_in),
            revenue: Tiyn(sum(|s| s.revenue_tiyn)),
            ticket_types: rows.into_iter().map(Into::into).collect(),
        }
    }
}

/// A trimmed reason of up to [`MAX_REASON`] characters.
fn reason(field: &'static str, value: &str) -> Result<String> {
    text::bounded(field, value, MAX_REASON).valid()
}

#[derive(Default)]
pub struct TicketMutation;

#[Object]
impl TicketMutation {
    /// Records the payment of a held order (cash, card or Kaspi) and issues
    /// its tickets; the amount must be the order's total. An order whose hold
    /// ran out cannot be paid (`CONFLICT`).
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order.")] order_id: ID,
        #[graphql(desc = "How it was paid (not PROVIDER).")] method: MethodGql,
        #[graphql(desc = "The amount received: the order's total.")] amount: Tiyn,
        #[graphql(desc = "A receipt number or note, up to 200 characters.")] reference: Option<
            String,
        >,
    ) -> Result<TicketOrderNode> {
        let id: OrderId = parse_id("orderId", &order_id)?;
        let method = PaymentMethod::from(method);
        if method == PaymentMethod::Provider {
            return Err(bad_input(
                "method",
                "PROVIDER payments come from the provider's webhook",
            ));
        }
        let amount = amount.non_negative("amount")?;
        let reference = reference
            .as_deref()
            .map(|r| text::bounded("reference", r, text::MAX_LINE))
            .transpose()
            .valid()?;
        let receipt = Receipt {
            method,
            amount_tiyn: amount,
            reference: reference.as_deref(),
            provider_txn_id: None,
        };
        in_city!(ctx, ADMINS, |tx, _| {
            // The buyer's tickets by email, committed with the payment.
            soi_service::tickets::pay(&mut tx, id, receipt).await?;
            let order = orders::get(&mut tx, id).await?;
            bundle(&mut tx, vec![order]).await?
        })
        .and_then(one)
    }

    /// Refunds a paid order none of whose tickets was used: the tickets are
    /// cancelled, the seats go back on sale, the ledger gets the refund.
    async fn refund_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order.")] order_id: ID,
        #[graphql(desc = "Why, up to 400 characters.")] reason: String,
    ) -> Result<TicketOrderNode> {
        let id: OrderId = parse_id("orderId", &order_id)?;
        let why = self::reason("reason", &reason)?;
        in_city!(ctx, ADMINS, |tx, _| {
            let order = soi_service::tickets::refund(&mut tx, id, &why).await?;
            bundle(&mut tx, vec![order]).await?
        })
        .and_then(one)
    }

    /// Ends a hold before its time; its seats go back on sale.
    async fn cancel_hold(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order.")] order_id: ID,
        #[graphql(desc = "Why, up to 400 characters.")] reason: Option<String>,
    ) -> Result<TicketOrderNode> {
        let id: OrderId = parse_id("orderId", &order_id)?;
        let why = reason
            .as_deref()
            .map(|r| self::reason("reason", r))
            .transpose()?;
        in_city!(ctx, ADMINS, |tx, _| {
            let order = soi_service::tickets::cancel_hold(&mut tx, id, why.as_deref()).await?;
            bundle(&mut tx, vec![order]).await?
        })
        .and_then(one)
    }

    /// Scans a ticket at the door (chapter admins and coaches). The first
    /// scan admits; a later one is not admitted and carries the time of
    /// the first. An unknown code is `NOT_FOUND`, a refunded ticket `CONFLICT`.
    async fn check_in_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's code, as scanned or typed.")] code: String,
    ) -> Result<CheckInResult> {
        let code = tickets::normalize_code(&code).valid()?;
        let seen = in_city!(ctx, READERS, |tx, _| soi_service::tickets::check_in(
            &mut tx, &code
        )
        .await?)?;
        let at = seen.ticket.checked_in_at.unwrap_or_else(Utc::now);
        let local = match CityZone::parse(&seen.time_zone) {
            Ok(zone) => format!(
                "{} ({})",
                zone.local(at).format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
            Err(_) => format!("{} (UTC)", at.format("%Y-%m-%d %H:%M")),
        };
        let message = if seen.admitted {
            format!("admitted: {}", seen.ticket_type_name)
        } else {
            format!("already used at {local}")
        };
        Ok(CheckInResult {
            admitted: seen.admitted,
            first_used_at: at,
            first_used_local: local,
            ticket_type_name: seen.ticket_type_name,
            event_id: ID(seen.event_id.to_string()),
            message,
        })
    }
}

/// The one order a mutation gathered.
fn one(mut list: Vec<super::nodes::Bundle>) -> Result<TicketOrderNode> {
    list.pop()
        .map(TicketOrderNode)
        .ok_or_else(|| crate::ErrorCode::NotFound.error("order not found"))
}
