//! An order's life: reserve (hold seats), pay (tickets issued, the sale in
//! the ledger, the tickets mailed), refund, cancel a hold, check a ticket in
//! at the door, expire lapsed holds; and the ticket types an event sells,
//! changed only while the event is editable.

mod cancel;
mod check_in;
mod expire;
mod pay;
mod refund;
mod reserve;
mod ticket_types;

pub use cancel::cancel_hold;
pub use check_in::check_in;
pub use expire::expire;
pub use pay::{Paid, pay, settle};
pub use refund::refund;
pub use reserve::{Reserved, Wish, reserve, reserve_many};
pub use ticket_types::{add_ticket_type, set_quota};
