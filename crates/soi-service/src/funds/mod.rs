//! Movements of money and their ledger entries, each in the caller's
//! transaction: a contribution received, an expense, a gift to a cause
//! (under the city's ledger lock, never more than the balance), and the
//! reversal of an entry.

mod expenses;
mod give;
mod receive;
mod reverse;

pub use expenses::record_expense;
pub use give::give;
pub use receive::receive;
pub use reverse::reverse;
