//! Use cases of the program: the rules that span several tables (capacity,
//! the waitlist). No SQL here: they call the db layer inside the caller's
//! tenant transaction, so a use case commits whole or not at all.

pub mod applications;
