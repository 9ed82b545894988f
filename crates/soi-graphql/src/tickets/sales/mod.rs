//! An event's sales: seats sold, held, left and used, and its revenue, in
//! all and by ticket type; read by chapter admins, once or live.

mod nodes;
mod query;
mod subscription;

pub use query::SalesQuery;
pub use subscription::SalesSubscription;
