//! Participants: read by staff (coaches see fewer fields) and by the
//! participant themselves. Their node is shared (see `shared::nodes`), as
//! applications and groups return it too.

mod query;

pub use query::ParticipantQuery;
