//! The program itself: seasons, applications, participants, groups, training
//! sessions, attendance, skills, coaches and rinks. Each feature is a folder
//! split the same way (`query`, `mutation`, `nodes`, `inputs`, and `public`
//! or `subscription` where it has them); a feature may import another's
//! nodes, never the other way round as well.

pub mod applications;
pub mod attendance;
pub mod coaches;
pub mod groups;
pub mod participants;
pub mod rinks;
pub mod seasons;
pub mod sessions;
pub mod skills;
