//! Reports over the rollups: `nationalReport` for the national role (every
//! city, small groups suppressed) and `cityReport` for a chapter admin (their
//! city, with the national median), once or live (`nationalTotals`). Beyond
//! the resolvers: `build` assembles a report from rollup rows, `cached` and
//! `response` keep reports and whole answers in Redis, `spliced` writes an
//! answer's JSON straight into the response, `csv` and `xlsx` render
//! the same reports for download (the server's routes use them).

mod build;
mod cached;
mod csv;
mod inputs;
mod nodes;
mod plain;
mod query;
mod response;
mod spliced;
mod subscription;
mod xlsx;

pub use build::{MEDIAN_MIN_CITIES, sort_rows};
pub use cached::{city as city_report, national as national_report};
pub use csv::{city_csv, national_csv};
pub use inputs::*;
pub use nodes::*;
pub use plain::{Plain, Whole};
pub use query::{ReportQuery, national_for};
pub use response::{ResponseSlot, VersionRead, national_slot};
pub use spliced::Spliced;
pub use subscription::ReportSubscription;
pub use xlsx::{city_xlsx, national_xlsx};
