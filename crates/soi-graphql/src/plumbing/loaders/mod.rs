//! DataLoaders: a nested query costs one statement per kind of row, not one
//! per parent. Each batch runs in its own tenant transaction of the request's
//! city (`batch`). A key type names what it loads (`SeatsTaken(season)`,
//! `CertificatesOf(coach)`; see `program` and `events`), and resolvers load
//! through one call, `ctx.load(key)` (see `load`).

mod batch;
mod events;
mod load;
mod program;

pub use batch::for_request;
pub use events::{PartnersOf, ProgrammeOf, TicketTypesOf};
pub use load::Load;
pub use program::{
    CertificatesOf, GroupRateOf, MembersOf, ParticipantOf, ParticipantRateOf, RinkOf, SeasonOf,
    SeatsTaken,
};
