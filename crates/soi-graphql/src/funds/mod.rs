//! The city's money: sponsors, contributions, causes, expenses and gifts for
//! chapter admins, the ledger they all write (`ledger`), and the public
//! transparency report (`public`).

mod inputs;
mod ledger;
mod mutation;
mod nodes;
mod public;
mod query;

pub use ledger::{LedgerMutation, LedgerQuery};
pub use mutation::FundsMutation;
pub use public::FundsPublicQuery;
pub use query::FundsQuery;
