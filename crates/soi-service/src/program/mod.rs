//! The program's flows across tables: applying to a season, deciding and
//! withdrawing (capacity and the waitlist), and a season's edits that depend
//! on its enrollments.

pub mod applications;
pub mod seasons;
