//! Applications to a season: anyone applies (`applyToSeason`, public), a
//! chapter admin reads and decides, an admin or the applicant withdraws.

mod inputs;
mod mutation;
mod nodes;
mod public;
mod query;

pub use mutation::ApplicationMutation;
pub use nodes::{ApplicationNode, ApplicationStatus};
pub use public::ApplicationPublicMutation;
pub use query::ApplicationQuery;
