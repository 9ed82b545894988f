//! Ticketing: public reservations and the buyer's view of their order,
//! and the staff's orders, payments, refunds, sales and door check-in. The
//! rules (holds, seats, payments) live in `soi_db::{orders, seats, payments,
//! tickets}`; these resolvers parse input and open the tenant transaction.

mod admin;
mod nodes;
mod public;
mod qr;

pub use admin::{EventSales, TicketMutation, TicketQuery};
pub use public::{TicketPublicMutation, TicketPublicQuery};
