//! Invitations (`invitations`): a single-use token, stored as its SHA-256
//! hash, that lets its holder create the account it names. A city's
//! invitations are city data, made and listed by its admins (or system work)
//! in its [`TenantTx`]; acceptance comes with the token only, so it finds the
//! city through the narrow path and accepts in that city's transaction.

use crate::{Error, NationalRead, NationalTx, Result, SystemTx, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{CityId, CoachId, Language, ParticipantId, Role};
use uuid::Uuid;

/// A pending or finished invitation, as the city's admins see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub coach_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, email, role, coach_id, participant_id, language, created_at, \
                       expires_at, accepted_at, revoked_at";

/// What an invitation invites to.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub coach: Option<CoachId>,
    pub participant: Option<ParticipantId>,
    pub language: Language,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
    /// The admin who invites; `None` for the operator's CLI.
    pub invited_by: Option<Uuid>,
}

/// Creates an invitation in the transaction's city. A pending invitation to
/// the same address is revoked first: inviting again sends a fresh link and
/// the old one stops working.
pub async fn create(tx: &mut TenantTx, new: &NewInvitation<'_>) -> Result<Invitation> {
    let (city, conn) = tx.parts();
    sqlx::query(
        "update invitations set revoked_at = now() \
         where home_city_id = $1 and email = lower($2) and accepted_at is null and revoked_at is null",
    )
    .bind(city)
    .bind(new.email)
    .execute(&mut *conn)
    .await?;
    let sql = format!(
        "insert into invitations (id, home_city_id, email, role, coach_id, participant_id, language, \
         token_hash, expires_at, invited_by) \
         values ($2, $1, lower($3), $4, $5, $6, $7, $8, $9, $10) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(Uuid::now_v7())
        .bind(new.email)
        .bind(new.role.code())
        .bind(new.coach.map(|c| c.as_uuid()))
        .bind(new.participant.map(|p| p.as_uuid()))
        .bind(new.language.code())
        .bind(new.token_hash)
        .bind(new.expires_at)
        .bind(new.invited_by)
        .fetch_one(conn)
        .await?)
}

/// The city's invitations not yet accepted, revoked or expired, newest first.
pub async fn pending(tx: &mut TenantTx) -> Result<Vec<Invitation>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from invitations where home_city_id = $1 and accepted_at is null \
         and revoked_at is null and expires_at > now() order by created_at desc"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .fetch_all(conn)
        .await?)
}

/// Revokes a pending invitation of the city; `NotFound` when there is none
/// with that id, `Conflict` when it was already accepted or revoked.
pub async fn revoke(tx: &mut TenantTx, id: Uuid) -> Result<Invitation> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update invitations set revoked_at = now() \
         where home_city_id = $1 and id = $2 and accepted_at is null and revoked_at is null \
         returning {COLUMNS}"
    );
    let done: Option<Invitation> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(inv) = done {
        return Ok(inv);
    }
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from invitations where home_city_id = $1 and id = $2)",
    )
    .bind(city)
    .bind(id)
    .fetch_one(conn)
    .await?;
    Err(if exists {
        Error::Conflict("the invitation was already accepted or revoked".into())
    } else {
        Error::NotFound("invitation")
    })
}

/// Invites `email` to a national account, through the operator's own
/// connection (soi_app cannot make national invitations): a pending national
/// invitation to the address is replaced. `None` when the address has an
/// account already (in any city, or national).
pub async fn create_national(
    tx: &mut SystemTx,
    email: &str,
    language: Language,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let (outcome, id): (String, Option<Uuid>) = sqlx::query_as(
        "select outcome, invitation_id from soi_auth_invite_national($1, $2, $3, $4)",
    )
    .bind(email)
    .bind(language.code())
    .bind(hash)
    .bind(expires_at)
    .fetch_one(tx.national_conn())
    .await?;
    Ok(id.filter(|_| outcome == "ok"))
}

/// Whom an invitation token invites, through the narrow path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `None` for a national invitation.
    pub city: Option<CityId>,
    pub email: String,
    /// `pending`, `used`, `revoked` or `expired` (checked again, under a
    /// lock, on acceptance).
    pub state: String,
}

/// The invitation a token names; `None` for an unknown token.
pub async fn target_of_token(tx: &mut NationalTx, hash: &[u8]) -> Result<Option<Target>> {
    let row: Option<(Option<Uuid>, String, String)> =
        sqlx::query_as("select city_id, email, state from soi_auth_invitation_target($1)")
            .bind(hash)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.map(|(city, email, state)| Target {
        city: city.map(CityId::from),
        email,
        state,
    }))
}

/// What accepting an invitation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// The account was created; `invitation` is the accepted invitation.
    Account {
        account: Uuid,
        invitation: Uuid,
        role: Role,
        coach: Option<CoachId>,
        participant: Option<ParticipantId>,
        version: i32,
    },
    Unknown,
    Used,
    Revoked,
    Expired,
    /// An account with the invited email exists already (in any city).
    EmailTaken,
}

/// Accepts the invitation with this token hash in the transaction's city
/// (a national invitation: in a transaction with no city): creates its
/// account with the given password hash and marks it used.
pub async fn accept(
    tx: &mut impl NationalRead,
    hash: &[u8],
    password_hash: &str,
    language: Option<Language>,
) -> Result<Accepted> {
    type Row = (
        String,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<Uuid>,
        Option<i32>,
        Option<Uuid>,
    );
    let (outcome, account, role, coach, participant, version, invitation): Row = sqlx::query_as(
        "select outcome, id, role, coach_id, participant_id, auth_version, invitation_id \
         from soi_auth_accept_invitation($1, $2, $3)",
    )
    .bind(hash)
    .bind(password_hash)
    .bind(language.map(Language::code))
    .fetch_one(tx.national_conn())
    .await?;
    Ok(match outcome.as_str() {
        "ok" => match (
            account,
            role.as_deref().and_then(Role::parse),
            version,
            invitation,
        ) {
            (Some(account), Some(role), Some(version), Some(invitation)) => Accepted::Account {
                account,
                invitation,
                role,
                coach: coach.map(CoachId::from),
                participant: participant.map(ParticipantId::from),
                version,
            },
            _ => {
                return Err(Error::Unavailable(
                    "acceptance returned an inconsistent row".into(),
                ));
            }
        },
        "used" => Accepted::Used,
        "revoked" => Accepted::Revoked,
        "expired" => Accepted::Expired,
        "email_taken" => Accepted::EmailTaken,
        _ => Accepted::Unknown,
    })
}
