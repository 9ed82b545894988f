//! The city's money: sponsors, contributions, causes, expenses, gifts and the
//! ledger for chapter admins, and the public transparency report.

mod inputs;
mod kinds;
mod mutation;
mod nodes;
mod query;
mod transparency;

pub use mutation::FundsMutation;
pub use query::FundsQuery;
pub use transparency::TransparencyQuery;
