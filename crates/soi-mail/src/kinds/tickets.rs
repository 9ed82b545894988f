//! Ticket and show emails: the order confirmation (transactional, always
//! sent) and the announcement of a published show to the city's
//! participants (unsubscribable).

use super::json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use soi_core::states::EnrollmentStatus;
use soi_core::{EventId, OrderId, ParticipantId};
use soi_db::events::events;
use soi_db::mail::outbox;
use soi_db::program::{enrollments, participants, rinks};
use soi_db::tickets::{orders, ticket_types, tickets};
use soi_db::{Page, Result, TenantTx};

pub const TICKET_ORDER_PAID: &str = "ticket_order_paid";
pub const SHOW_ANNOUNCEMENT: &str = "show_announcement";

/// One ticket of a paid order: its type and the code the door scans.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderTicket {
    pub ticket_type: String,
    pub code: String,
}

/// `ticket_order_paid`: the buyer's tickets, each with its QR code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketOrderPaid {
    pub buyer_name: String,
    pub event_title: String,
    /// Shown in the city's zone by the template.
    pub starts_at: DateTime<Utc>,
    pub rink: String,
    pub rink_address: String,
    pub tickets: Vec<OrderTicket>,
}

/// Enqueues `ticket_order_paid` for an order just paid, in the payment's
/// transaction, to the buyer in the order's language. Key:
/// `ticket_order_paid:<order id>` (a repeated notification adds nothing).
pub async fn ticket_order_paid(tx: &mut TenantTx, order: OrderId) -> Result<bool> {
    let order = orders::get(tx, order).await?;
    let event = events::get(tx, order.event_id).await?;
    let rink = rinks::get(tx, event.rink_id).await?;
    let types = ticket_types::list_for_event(tx, event.id).await?;
    let issued = tickets::of_orders(tx, &[order.id]).await?;
    let type_name = |id| {
        types
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let payload = json(TicketOrderPaid {
        buyer_name: order.buyer_name.clone(),
        event_title: event.title,
        starts_at: event.starts_at,
        rink: rink.name,
        rink_address: rink.address,
        tickets: issued
            .into_iter()
            .map(|t| OrderTicket {
                ticket_type: type_name(t.ticket_type_id),
                code: t.code,
            })
            .collect(),
    })?;
    let key = format!("{TICKET_ORDER_PAID}:{}", order.id);
    outbox::enqueue(
        tx,
        TICKET_ORDER_PAID,
        &key,
        &order.buyer_email,
        order.buyer_language,
        &payload,
    )
    .await
}

/// `show_announcement`: a show of the season goes on sale.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShowAnnouncement {
    pub first_name: String,
    pub event_title: String,
    pub motto: Option<String>,
    pub social_theme: String,
    pub starts_at: DateTime<Utc>,
    pub rink: String,
    pub rink_address: String,
}

/// Enqueues `show_announcement` to every participant with an accepted or
/// active enrollment in the event's season, in the publishing transaction;
/// returns how many were added. Key: `show_announcement:<event>:<participant>`.
pub async fn show_announcement(tx: &mut TenantTx, event: EventId) -> Result<usize> {
    let event = events::get(tx, event).await?;
    let rink = rinks::get(tx, event.rink_id).await?;
    let mut ids: Vec<ParticipantId> = Vec::new();
    for status in [EnrollmentStatus::Accepted, EnrollmentStatus::Active] {
        let mut page = Page::first(Page::<()>::MAX);
        loop {
            let rows = enrollments::list_by_season(tx, event.season_id, Some(status), page).await?;
            let more = rows.len() >= Page::<()>::MAX as usize;
            ids.extend(rows.iter().map(|e| e.participant_id));
            match rows.last() {
                Some(last) if more => {
                    page = Page {
                        after: Some(last.id),
                        limit: Page::<()>::MAX,
                    }
                }
                _ => break,
            }
        }
    }
    let mut added = 0;
    for who in participants::by_ids(tx, &ids).await? {
        let payload = json(ShowAnnouncement {
            first_name: who.first_name,
            event_title: event.title.clone(),
            motto: event.motto.clone(),
            social_theme: event.social_theme.clone(),
            starts_at: event.starts_at,
            rink: rink.name.clone(),
            rink_address: rink.address.clone(),
        })?;
        let key = format!("{SHOW_ANNOUNCEMENT}:{}:{}", event.id, who.id);
        if outbox::enqueue(
            tx,
            SHOW_ANNOUNCEMENT,
            &key,
            &who.email,
            who.preferred_language,
            &payload,
        )
        .await?
        {
            added += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::{CityView, Templates};
    use soi_core::{CityZone, Language};

    #[test]
    fn the_order_confirmation_shows_every_ticket_in_every_language() {
        let templates = Templates::builtin().expect("templates");
        let city = CityView {
            name_kk: "Алматы",
            name_ru: "Алматы",
            name_en: "Almaty",
            zone: CityZone::parse("Asia/Almaty").expect("zone"),
        };
        let tickets: Vec<OrderTicket> = (0..20)
            .map(|i| OrderTicket {
                ticket_type: format!("Adult <{i}>"),
                code: format!("0123456789ABCDEFGHJKMNP{i:03}"),
            })
            .collect();
        let payload = json(TicketOrderPaid {
            buyer_name: "Dana".into(),
            event_title: "SOI".into(),
            starts_at: "2026-12-20T13:00:00Z".parse().expect("time"),
            rink: "Medeu".into(),
            rink_address: "Gornaya 640".into(),
            tickets,
        })
        .expect("payload");
        for lang in Language::ALL {
            let m = templates
                .render(TICKET_ORDER_PAID, lang, &city, &payload)
                .expect("renders");
            assert_eq!(m.language, lang);
            assert!(m.text.contains("0123456789ABCDEFGHJKMNP019"));
            assert!(m.text.contains("18:00"), "{}", m.text);
            assert_eq!(m.html.matches("aria-label=\"QR ").count(), 20);
            assert!(m.html.contains("Adult &lt;7&gt;"));
            // About 15 KB a ticket: twenty stay far from a megabyte.
            assert!(m.html.len() < 400_000, "{}", m.html.len());
        }
    }
}
