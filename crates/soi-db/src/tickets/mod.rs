//! Ticketing: ticket types, orders and their lines, the seats they take,
//! payments, issued tickets and sales figures. One file per table (seats:
//! `ticket_seat_buckets`, the seats a type's quota is split into, moved
//! with the orders that hold them); a file imports no sibling. The flows (reserve, pay, refund,
//! cancel, check in, expire) are `soi_service::tickets`.

pub mod order_lines;
pub mod orders;
pub mod payments;
pub mod sales;
pub mod seats;
pub mod ticket_types;
// The `tickets` table's file in the `tickets` feature.
#[allow(clippy::module_inception)]
pub mod tickets;

soi_core::text_enum! {
    /// An order's state: held → paid → refunded; held → expired | cancelled.
    OrderStatus, "status" {
        Held => "held", Paid => "paid", Expired => "expired", Cancelled => "cancelled", Refunded => "refunded",
    }
}
