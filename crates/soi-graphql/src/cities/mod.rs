//! City chapters: the public list every client starts from (a city's slug
//! names it in every public operation).

mod nodes;
mod query;

pub use query::CityQuery;
