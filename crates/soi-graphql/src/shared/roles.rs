//! The role lists resolvers check, by who they admit. A resolver names one
//! of these (or a single role) instead of spelling its own list.

use soi_core::Role;

/// The city's chapter admins.
pub const ADMINS: &[Role] = &[Role::ChapterAdmin];

/// The city's staff: chapter admins and coaches (the database narrows
/// coaches further, e.g. to their own groups).
pub const STAFF: &[Role] = &[Role::ChapterAdmin, Role::Coach];

/// Everyone of a city: staff and participants (the database shows a
/// participant only their own rows).
pub const CITY_USERS: &[Role] = &[Role::ChapterAdmin, Role::Coach, Role::Participant];

/// Every signed-in role, the national one included.
pub const ANY_ROLE: &[Role] = &[
    Role::National,
    Role::ChapterAdmin,
    Role::Coach,
    Role::Participant,
];
