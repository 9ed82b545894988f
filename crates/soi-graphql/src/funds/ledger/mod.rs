//! The city's append-only ledger: every movement of money is an entry;
//! chapter admins read it and its balance, and reverse an entry by
//! appending its negation.

mod mutation;
mod nodes;
mod query;

pub use mutation::LedgerMutation;
pub use nodes::EntryNode;
pub use query::LedgerQuery;
