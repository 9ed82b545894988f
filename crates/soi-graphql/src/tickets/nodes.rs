//! The GraphQL shapes of orders, tickets and payments, and the one place
//! that gathers an order's lines, tickets, payment and ticket-type names
//! (a few statements for a whole page of orders).

use super::qr;
use crate::plumbing::mirror_enum;
use crate::shared::lang::Lang;
use crate::shared::money::Tiyn;
use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use soi_core::{EventId, OrderId, TicketTypeId};
use soi_db::TenantTx;
use soi_db::tickets::order_lines::{self, Line};
use soi_db::tickets::orders::Order;
use soi_db::tickets::payments::{self, Payment, PaymentMethod};
use soi_db::tickets::tickets::{self, Ticket, TicketStatus};
use soi_db::tickets::{OrderStatus, ticket_types};
use std::collections::HashMap;
use std::sync::Arc;

mirror_enum! {
    /// Where an order stands: held → paid → refunded; a hold may also expire
    /// or be cancelled.
    #[graphql(name = "TicketOrderStatus")]
    OrderStatusGql <=> OrderStatus {
        /// Seats are held until `expiresAt`, waiting for payment.
        Held,
        /// Paid; the tickets are issued.
        Paid,
        /// The hold lapsed unpaid; its seats went back on sale.
        Expired,
        /// An admin ended the hold; its seats went back on sale.
        Cancelled,
        /// The money was returned and the tickets cancelled.
        Refunded,
    }
}

mirror_enum! {
    /// How an order was paid.
    #[graphql(name = "TicketPaymentMethod")]
    MethodGql <=> PaymentMethod {
        /// Cash at the box office.
        Cash,
        /// A card terminal.
        Card,
        /// A Kaspi transfer or QR payment.
        Kaspi,
        /// Confirmed by the payment provider's webhook (never recorded by hand).
        Provider,
    }
}

mirror_enum! {
    /// Whether a ticket still admits its holder.
    #[graphql(name = "TicketStatus")]
    TicketStatusGql <=> TicketStatus {
        /// Admits once.
        Valid,
        /// The order was refunded.
        Cancelled,
    }
}

/// An order with what belongs to it.
pub struct Bundle {
    pub order: Order,
    pub lines: Vec<Line>,
    pub tickets: Vec<Ticket>,
    pub payment: Option<Payment>,
    pub names: Arc<HashMap<TicketTypeId, String>>,
}

/// Gathers the lines, tickets, payments and ticket-type names of `list`.
pub async fn bundle(tx: &mut TenantTx, list: Vec<Order>) -> soi_db::Result<Vec<Bundle>> {
    let ids: Vec<OrderId> = list.iter().map(|o| o.id).collect();
    let mut lines = order_lines::of_orders(tx, &ids).await?;
    let mut issued = tickets::of_orders(tx, &ids).await?;
    let mut paid = payments::of_orders(tx, &ids).await?;
    let mut events: Vec<EventId> = list.iter().map(|o| o.event_id).collect();
    events.sort();
    events.dedup();
    let mut names = HashMap::new();
    for e in events {
        for t in ticket_types::list_for_event(tx, e).await? {
            names.insert(t.id, t.name);
        }
    }
    let names = Arc::new(names);
    Ok(list
        .into_iter()
        .map(|order| {
            let id = order.id;
            Bundle {
                lines: lines.extract_if(.., |l| l.order_id == id).collect(),
                tickets: issued.extract_if(.., |t| t.order_id == id).collect(),
                payment: paid
                    .iter()
                    .position(|p| p.order_id == id)
                    .map(|i| paid.swap_remove(i)),
                names: Arc::clone(&names),
                order,
            }
        })
        .collect())
}

impl Bundle {
    fn name(&self, t: TicketTypeId) -> String {
        self.names.get(&t).cloned().unwrap_or_default()
    }

    pub fn items(&self) -> Vec<OrderItem> {
        self.lines
            .iter()
            .map(|l| OrderItem {
                ticket_type_id: ID(l.ticket_type_id.to_string()),
                ticket_type_name: self.name(l.ticket_type_id),
                quantity: l.quantity,
                unit_price: Tiyn(l.unit_price_tiyn),
            })
            .collect()
    }

    pub fn ticket_nodes(&self) -> Vec<TicketNode> {
        self.tickets
            .iter()
            .map(|t| TicketNode {
                type_name: self.name(t.ticket_type_id),
                ticket: t.clone(),
            })
            .collect()
    }
}

/// Seats of one ticket type in an order.
#[derive(SimpleObject)]
pub struct OrderItem {
    /// The ticket type.
    pub ticket_type_id: ID,
    /// Its name, e.g. "Parterre".
    pub ticket_type_name: String,
    /// Seats of this type.
    pub quantity: i32,
    /// Price of one seat when it was reserved.
    pub unit_price: Tiyn,
}

pub struct TicketNode {
    pub ticket: Ticket,
    pub type_name: String,
}

/// An issued ticket: its code admits one person once.
#[Object(name = "Ticket")]
impl TicketNode {
    /// The ticket's id.
    async fn id(&self) -> ID {
        ID(self.ticket.id.to_string())
    }
    /// The secret code the door scans (26 characters, Crockford base32).
    async fn code(&self) -> &str {
        &self.ticket.code
    }
    /// The ticket type's name.
    async fn ticket_type_name(&self) -> &str {
        &self.type_name
    }
    /// Valid, or cancelled by a refund.
    async fn status(&self) -> TicketStatusGql {
        self.ticket.status.into()
    }
    /// When it was scanned at the door; null until then.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.ticket.checked_in_at
    }
    /// The code as a QR code: an SVG document to show or print.
    async fn qr_svg(&self) -> Option<String> {
        qr::svg(&self.ticket.code)
    }
}

pub struct PaymentNode(pub Payment);

/// The payment of an order.
#[Object(name = "TicketPayment")]
impl PaymentNode {
    /// The payment's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// How it was paid.
    async fn method(&self) -> MethodGql {
        self.0.method.into()
    }
    /// The amount received.
    async fn amount(&self) -> Tiyn {
        Tiyn(self.0.amount_tiyn)
    }
    /// The admin's note (receipt number, last card digits).
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// The payment provider's transaction id.
    async fn provider_transaction_id(&self) -> Option<&str> {
        self.0.provider_txn_id.as_deref()
    }
    /// When it was recorded.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
}

pub struct TicketOrderNode(pub Bundle);

/// An order as the city's admins see it, buyer's contacts included.
#[Object(name = "TicketOrder")]
impl TicketOrderNode {
    /// The order's id.
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }
    /// The event.
    async fn event_id(&self) -> ID {
        ID(self.0.order.event_id.to_string())
    }
    /// The buyer's name.
    async fn buyer_name(&self) -> &str {
        &self.0.order.buyer_name
    }
    /// The buyer's email.
    async fn buyer_email(&self) -> &str {
        &self.0.order.buyer_email
    }
    /// The language of the buyer's messages.
    async fn buyer_language(&self) -> Lang {
        self.0.order.buyer_language.into()
    }
    /// Where the order stands.
    async fn status(&self) -> OrderStatusGql {
        self.0.order.status.into()
    }
    /// Σ price × quantity of its items.
    async fn total(&self) -> Tiyn {
        Tiyn(self.0.order.total_tiyn)
    }
    /// When the hold lapses unless paid.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.order.expires_at
    }
    /// When it was reserved.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.order.created_at
    }
    /// When it was paid.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.order.paid_at
    }
    /// When it was expired, cancelled or refunded.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.order.closed_at
    }
    /// Why an admin cancelled or refunded it.
    async fn closed_reason(&self) -> Option<&str> {
        self.0.order.closed_reason.as_deref()
    }
    /// Seats by ticket type.
    async fn items(&self) -> Vec<OrderItem> {
        self.0.items()
    }
    /// The issued tickets (once paid).
    async fn tickets(&self) -> Vec<TicketNode> {
        self.0.ticket_nodes()
    }
    /// The payment, once paid.
    async fn payment(&self) -> Option<PaymentNode> {
        self.0.payment.clone().map(PaymentNode)
    }
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
