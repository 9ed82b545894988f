//! An event's sales by ticket type: seats sold, held, lapsed, used at the
//! door, and the money taken. One statement; every city table in it names
//! `city_id = $1`, subqueries included.

use crate::Result;
use crate::TenantTx;
use soi_core::{EventId, TicketTypeId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TypeSales {
    #[sqlx(try_from = "Uuid")]
    pub ticket_type_id: TicketTypeId,
    pub name: String,
    pub price_tiyn: i64,
    pub quota: i32,
    /// Seats of paid orders.
    pub sold: i64,
    /// Seats of holds whose time is not up.
    pub held: i64,
    /// Seats of holds whose time is up but that are not swept yet: free for
    /// the next buyer.
    pub lapsed: i64,
    /// Tickets scanned at the door.
    pub checked_in: i64,
    /// Money of paid orders (refunded ones are no longer paid).
    pub revenue_tiyn: i64,
}

impl TypeSales {
    /// Seats a buyer can still get.
    pub fn remaining(&self) -> i64 {
        (i64::from(self.quota) - self.sold - self.held).max(0)
    }
}

/// The event's ticket types with their sales, cheapest first.
pub async fn for_event(tx: &mut TenantTx, event: EventId) -> Result<Vec<TypeSales>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select t.id as ticket_type_id, t.name, t.price_tiyn, t.quota, \
                coalesce(s.sold, 0) as sold, coalesce(s.held, 0) as held, \
                coalesce(s.lapsed, 0) as lapsed, coalesce(c.n, 0) as checked_in, \
                coalesce(s.revenue, 0) as revenue_tiyn \
         from ticket_types t \
         left join ( \
             select l.ticket_type_id, \
                    (sum(l.quantity) filter (where o.status = 'paid'))::bigint as sold, \
                    (sum(l.quantity) filter (where o.status = 'held' and o.expires_at > now()))::bigint as held, \
                    (sum(l.quantity) filter (where o.status = 'held' and o.expires_at <= now()))::bigint as lapsed, \
                    (sum(l.quantity * l.unit_price_tiyn) filter (where o.status = 'paid'))::bigint as revenue \
             from ticket_orders o \
             join ticket_order_lines l on l.city_id = $1 and l.order_id = o.id \
             where o.city_id = $1 and o.event_id = $2 and o.status in ('paid', 'held') \
             group by l.ticket_type_id) s on s.ticket_type_id = t.id \
         left join ( \
             select k.ticket_type_id, count(*) as n from tickets k \
             where k.city_id = $1 and k.checked_in_at is not null and k.ticket_type_id in \
                   (select e.id from ticket_types e where e.city_id = $1 and e.event_id = $2) \
             group by k.ticket_type_id) c on c.ticket_type_id = t.id \
         where t.city_id = $1 and t.event_id = $2 \
         order by t.price_tiyn, t.name",
    )
    .bind(city)
    .bind(event.as_uuid())
    .fetch_all(conn)
    .await?)
}
