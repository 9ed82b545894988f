//! The program's flows across tables: applying to a season, deciding and
//! withdrawing (capacity and the waitlist), a season's edits that depend on
//! its enrollments, and session changes with their emails.

pub mod applications;
pub mod imports;
pub mod people;
pub mod seasons;
pub mod sessions;
