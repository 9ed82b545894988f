//! Skills: the national learn-to-skate catalogue (public) and each
//! participant's progression, which coaches record for their own groups.

mod mutation;
mod nodes;
mod query;

pub use mutation::SkillMutation;
pub use query::SkillQuery;
