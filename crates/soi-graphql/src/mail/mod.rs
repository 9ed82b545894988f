//! The city's outgoing email, for chapter admins: the messages the worker
//! gave up on (parked: refused by the mail server, or out of attempts), and
//! sending one again once the cause is dealt with.

mod mutation;
mod nodes;
mod query;

pub use mutation::MailMutation;
pub use query::MailQuery;
