//! Plumbing every resolver shares and no feature owns: errors as clients see
//! them, the request context, arguments and pages, running in a city (audit,
//! commit, live signal), the query's shared snapshot, loaders, limits and rate limits, public caches. The
//! rule: nothing here imports a feature module; features import from here.

pub mod args;
pub mod audit_trail;
pub mod error;
pub mod gate;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod mirror_enum;
pub mod page_cache;
pub mod pages;
pub mod public_city;
pub mod request;
pub mod run;
pub mod snapshot;
pub mod throttle;

pub use args::{Valid, bad_input, first_problem, parse_id, parse_opt_id};
pub use loaders::Load;
pub(crate) use mirror_enum::mirror_enum;
pub use pages::page;
pub use public_city::{admit, in_public_city, in_public_city_id};
pub use run::{found, in_city};
