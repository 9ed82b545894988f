//! What signing in returns: tokens, the role, the signed-in user.

use async_graphql::{Enum, SimpleObject};
use soi_core::Role;

/// A user's role.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    /// The alliance: aggregates of every city.
    National,
    /// Runs one city chapter.
    ChapterAdmin,
    /// Trains groups in one city.
    Coach,
    /// A student of the program.
    Participant,
}

impl From<Role> for UserRole {
    fn from(r: Role) -> Self {
        match r {
            Role::National => Self::National,
            Role::ChapterAdmin => Self::ChapterAdmin,
            Role::Coach => Self::Coach,
            Role::Participant => Self::Participant,
        }
    }
}

/// Tokens after signing in or refreshing.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Use once with `refreshToken` for a new pair; keep it secret.
    pub refresh_token: String,
    /// The signed-in user's role.
    pub role: UserRole,
}

/// The signed-in user.
#[derive(SimpleObject)]
pub struct Me {
    /// Sign-in email.
    pub email: String,
    /// The user's role.
    pub role: UserRole,
    /// Slug of the user's city; none for the national role.
    pub city: Option<String>,
}
