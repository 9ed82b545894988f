//! Ticketing for the city's staff: chapter admins record payments, refund
//! and cancel holds; admins and coaches check tickets in at the door.

use super::nodes::{Bundle, CheckInResult, MethodGql, TicketOrderNode, bundle};
use crate::plumbing::error::ErrorCode;
use crate::plumbing::{Valid, bad_input, in_city, parse_id};
use crate::shared::money::Tiyn;
use crate::shared::roles::{ADMINS, STAFF};
use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use soi_core::{CityZone, OrderId, text};
use soi_db::tickets::payments::{PaymentMethod, Receipt};
use soi_db::tickets::{orders, tickets};

/// Longest reason kept for a refund or cancellation.
const MAX_REASON: usize = 400;

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
            .valid()?;
        let receipt = Receipt {
            method,
            amount_tiyn: amount,
            reference: reference.as_deref(),
            provider_txn_id: None,
        };
        in_city(ctx, ADMINS, async |tx, _| {
            // The buyer's tickets by email, committed with the payment.
            soi_service::tickets::pay(tx, id, receipt).await?;
            let order = orders::get(tx, id).await?;
            bundle(tx, vec![order]).await
        })
        .await
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
        in_city(ctx, ADMINS, async |tx, _| {
            let order = soi_service::tickets::refund(tx, id, &why).await?;
            bundle(tx, vec![order]).await
        })
        .await
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
        in_city(ctx, ADMINS, async |tx, _| {
            let order = soi_service::tickets::cancel_hold(tx, id, why.as_deref()).await?;
            bundle(tx, vec![order]).await
        })
        .await
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
        let seen = in_city(ctx, STAFF, async |tx, _| {
            soi_service::tickets::check_in(tx, &code).await
        })
        .await?;
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
fn one(mut list: Vec<Bundle>) -> Result<TicketOrderNode> {
    list.pop()
        .map(TicketOrderNode)
        .ok_or_else(|| ErrorCode::NotFound.error("order not found"))
}
