//! Personal data (Law No. 94-V): withdrawing consent (the participant
//! themselves, or an admin on their behalf) and erasure on request. The
//! flows are `soi_service::privacy`; the scheduled erasures are the
//! worker's.

mod mutation;
mod nodes;

pub use mutation::PrivacyMutation;
