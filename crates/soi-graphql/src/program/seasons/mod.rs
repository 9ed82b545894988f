//! Seasons: a six-month run of the program in a city. Staff list and read
//! them, chapter admins create, edit and move them through phases; anyone
//! sees the seasons open for applications.

mod inputs;
mod mutation;
mod nodes;
mod public;
mod query;

pub use mutation::SeasonMutation;
pub use nodes::SeasonNode;
pub use public::SeasonPublicQuery;
pub use query::SeasonQuery;
