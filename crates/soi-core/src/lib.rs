//! Types and rules of the SOI platform. Nothing here does I/O: every other crate
//! builds on these types, so a rule written here holds in the database layer, the
//! GraphQL gateway and the CLI alike.

pub mod ctx;
pub mod error;
pub mod ids;
pub mod lang;
pub mod position;
pub mod report;
pub mod states;
pub mod text;
mod text_enum;
pub mod zone;

pub use ctx::{Actor, CityScope, Principal, Role, SystemCtx};
pub use error::{InputError, InputResult};
pub use ids::*;
pub use lang::Language;
pub use position::Position;
pub use text::{Email, PersonName, Phone, Slug};
pub use zone::CityZone;
