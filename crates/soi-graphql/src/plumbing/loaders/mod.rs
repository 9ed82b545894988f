//! DataLoaders: a nested query costs one statement per kind of row, not one
//! per parent. Each batch runs in its own tenant transaction of the request's
//! city (`batch`). A key type names what it loads (`SeatsTaken(season)`,
//! `CertificatesOf(coach)`; see `program` and `events`), and resolvers load
//! through one call, `ctx.load(key)` (see `load`). A batch that reads rows
//! of another kind on the way (a group's members come with their
//! participant rows) feeds them to that kind's cache, `ctx.feed(values)`,
//! so the rest of a query's answer reads them there, not again.

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
