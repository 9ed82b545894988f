//! What signing in returns (tokens, the role, the signed-in user), and the
//! staff and invitations chapter admins see.

use crate::plumbing::args::to_id;
use crate::shared::lang::Lang;
use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use soi_core::{Language, Role};

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

/// A role a chapter admin gives staff.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    /// Runs the city chapter.
    ChapterAdmin,
    /// Trains groups; acts as one coach record.
    Coach,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Self {
        match r {
            StaffRole::ChapterAdmin => Role::ChapterAdmin,
            StaffRole::Coach => Role::Coach,
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

/// Whether an account may sign in.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Signs in.
    Active,
    /// Disabled by a chapter admin: cannot sign in.
    Disabled,
}

fn role(code: &str) -> UserRole {
    Role::parse(code).map_or(UserRole::Participant, Into::into)
}

fn lang(code: &str) -> Lang {
    Language::parse(code).unwrap_or(Language::Ru).into()
}

/// An account of the city, as its admins see it.
#[derive(SimpleObject)]
pub struct StaffAccount {
    /// The account's id.
    pub id: ID,
    /// Sign-in email.
    pub email: String,
    /// The account's role.
    pub role: UserRole,
    /// The coach record a coach's account acts as.
    pub coach_id: Option<ID>,
    /// Whether it may sign in.
    pub status: AccountStatus,
    /// The language of the emails the account receives.
    pub language: Lang,
    /// When the account was made (its invitation accepted).
    pub created_at: DateTime<Utc>,
    /// None until the first sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl From<soi_db::auth::accounts::CityAccount> for StaffAccount {
    fn from(a: soi_db::auth::accounts::CityAccount) -> Self {
        Self {
            id: to_id(a.id),
            role: role(&a.role),
            coach_id: a.coach_id.map(to_id),
            status: if a.disabled {
                AccountStatus::Disabled
            } else {
                AccountStatus::Active
            },
            language: lang(&a.language),
            email: a.email,
            created_at: a.created_at,
            last_sign_in_at: a.last_sign_in_at,
        }
    }
}

/// An invitation to an account of the city.
#[derive(SimpleObject)]
pub struct Invitation {
    /// The invitation's id.
    pub id: ID,
    /// Where it was sent.
    pub email: String,
    /// What the account will be.
    pub role: UserRole,
    /// The coach record a coach's account will act as.
    pub coach_id: Option<ID>,
    /// The participant a participant's account will act as.
    pub participant_id: Option<ID>,
    /// The language of the invitation email.
    pub language: Lang,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// The link stops working then.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted (its account made).
    pub accepted_at: Option<DateTime<Utc>>,
    /// When an admin revoked it, or a newer invitation replaced it.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<soi_db::auth::invitations::Invitation> for Invitation {
    fn from(i: soi_db::auth::invitations::Invitation) -> Self {
        Self {
            id: to_id(i.id),
            role: role(&i.role),
            coach_id: i.coach_id.map(to_id),
            participant_id: i.participant_id.map(to_id),
            language: lang(&i.language),
            email: i.email,
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            revoked_at: i.revoked_at,
        }
    }
}

/// The city's staff and its open invitations.
#[derive(SimpleObject)]
pub struct Staff {
    /// Chapter admins and coaches, by email.
    pub accounts: Vec<StaffAccount>,
    /// Invitations not yet accepted, revoked or expired, newest first.
    pub pending_invitations: Vec<Invitation>,
}
