//! The program of a city: seasons, participants and their enrollments,
//! groups, training sessions and attendance, skills, coaches and rinks. One
//! file per table; a file does SQL for its own table and imports no sibling
//! (flows across tables are `soi_service::program`).

pub mod application_requests;
pub mod attendance;
pub mod coach_certificates;
pub mod coaches;
pub mod enrollments;
pub mod group_coaches;
pub mod group_members;
pub mod groups;
pub mod participant_privacy;
pub mod participants;
mod people;
pub mod rinks;
pub mod seasons;
pub mod sessions;
pub mod skill_assessments;
pub mod skills;
