//! An event's sales figures, in all and by ticket type.

use crate::shared::money::Tiyn;
use async_graphql::{ID, SimpleObject};
use soi_db::tickets::sales::TypeSales;

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

impl EventSales {
    /// Totals and per-type figures of an event's sales rows.
    pub fn of(event_id: ID, rows: Vec<TypeSales>) -> Self {
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
