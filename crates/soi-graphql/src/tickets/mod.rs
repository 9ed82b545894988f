//! Ticketing: public reservations and the buyer's view of their order
//! (`public`), the staff's orders, payments, refunds and door check-in, and
//! an event's sales (`sales`). The rules (holds, seats, payments) live in
//! `soi_db::{orders, seats, payments, tickets}`; these resolvers parse input
//! and open the tenant transaction.

mod mutation;
mod nodes;
mod public;
mod qr;
mod query;
mod reserve_many;
mod sales;

pub use mutation::TicketMutation;
pub use public::{TicketPublicMutation, TicketPublicQuery};
pub use query::TicketQuery;
pub use reserve_many::ReserveMany;
pub use sales::{SalesQuery, SalesSubscription};
