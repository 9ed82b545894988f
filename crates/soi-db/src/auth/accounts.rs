//! Sign-in accounts (`accounts`): city data. A city's accounts are read and
//! changed in its [`TenantTx`] (admins and system work see the staff; anyone
//! sees their own row; no role reads a password hash). Before a city is
//! known — signing in, a token's session check — they are reached through
//! the narrow path: `soi_auth_*` functions owned by `soi_auth` that look up
//! one account by email or by an id the caller already holds, and never list.

use crate::{Error, NationalRead, NationalTx, Result, SystemDb, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{CityId, CoachId, Email, Language, ParticipantId, Principal, Role};
use uuid::Uuid;

/// An account as the narrow path returns it (no password hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub home_city_id: Option<Uuid>,
    pub coach_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub disabled: bool,
    /// The session version: access tokens of an older one are refused.
    pub auth_version: i32,
    pub language: String,
}

impl Account {
    /// The identity this account signs in as; `None` if its row is inconsistent.
    pub fn principal(&self) -> Option<Principal> {
        Principal::new(
            self.id,
            Role::parse(&self.role)?,
            self.home_city_id.map(CityId::from),
            self.coach_id.map(CoachId::from),
            self.participant_id.map(ParticipantId::from),
        )
    }
}

/// What signing in needs: the account and its password hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignIn {
    #[sqlx(flatten)]
    pub account: Account,
    pub password_hash: String,
}

/// The account with this email and its password hash, for sign-in only.
pub async fn sign_in_lookup(tx: &mut NationalTx, email: &str) -> Result<Option<SignIn>> {
    Ok(sqlx::query_as(
        "select id, email, password_hash, role, home_city_id, coach_id, participant_id, \
         disabled, auth_version, language from soi_auth_sign_in_lookup($1)",
    )
    .bind(email.trim())
    .fetch_optional(tx.conn())
    .await?)
}

/// The account whose id the caller holds from its own verified token.
pub async fn get(tx: &mut NationalTx, id: Uuid) -> Result<Account> {
    sqlx::query_as(
        "select id, email, role, home_city_id, coach_id, participant_id, disabled, auth_version, \
         language from soi_auth_account($1)",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(Error::NotFound("account"))
}

/// The stored password of an enabled account, with the session version it
/// was read at: a new password is written only while the account is still
/// at that version ([`set_password`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredPassword {
    pub password_hash: String,
    pub auth_version: i32,
}

/// The password hash and session version of an enabled account whose id the
/// caller holds; `None` when it is disabled or gone.
pub async fn password_hash(tx: &mut NationalTx, id: Uuid) -> Result<Option<StoredPassword>> {
    Ok(
        sqlx::query_as("select password_hash, auth_version from soi_auth_password_hash($1)")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Sets a new password hash if the account is still enabled and at session
/// `version` (the one its hash was read at), ending every session; returns
/// the new session version, `None` when a reset, disable or other change
/// came in between (nothing is written then).
pub async fn set_password(
    tx: &mut impl NationalRead,
    id: Uuid,
    hash: &str,
    version: i32,
) -> Result<Option<i32>> {
    Ok(
        sqlx::query_scalar("select soi_auth_set_password($1, $2, $3)")
            .bind(id)
            .bind(hash)
            .bind(version)
            .fetch_one(tx.national_conn())
            .await?,
    )
}

/// Notes a successful sign-in (the staff list shows it), in the city's
/// transaction or a national one.
pub async fn signed_in(tx: &mut impl NationalRead, id: Uuid) -> Result<()> {
    sqlx::query("select soi_auth_signed_in($1)")
        .bind(id)
        .execute(tx.national_conn())
        .await?;
    Ok(())
}

/// Sets the language of the emails the account receives as staff.
pub async fn set_language(tx: &mut NationalTx, id: Uuid, lang: Language) -> Result<()> {
    let found: bool = sqlx::query_scalar("select soi_auth_set_language($1, $2)")
        .bind(id)
        .bind(lang.code())
        .fetch_one(tx.conn())
        .await?;
    if !found {
        return Err(Error::NotFound("account"));
    }
    Ok(())
}

/// (account id, email, language) of the city's enabled chapter admins, for
/// notices to the chapter.
pub async fn city_admins(tx: &mut TenantTx) -> Result<Vec<(Uuid, String, Language)>> {
    let (city, conn) = tx.parts();
    let rows: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select id, email, language from accounts \
         where home_city_id = $1 and role = 'chapter_admin' and not disabled order by email",
    )
    .bind(city)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, email, lang)| {
            let lang = Language::parse(&lang).map_err(Error::Invalid)?;
            Ok((id, email, lang))
        })
        .collect()
}

/// A city account as its admins see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CityAccount {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub coach_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub disabled: bool,
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

const CITY_COLUMNS: &str = "id, email, role, coach_id, participant_id, disabled, language, \
                            created_at, last_sign_in_at";

/// The city's accounts of the given roles, by email.
pub async fn of_city(tx: &mut TenantTx, roles: &[Role]) -> Result<Vec<CityAccount>> {
    let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {CITY_COLUMNS} from accounts where home_city_id = $1 and role = any($2) order by email"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(codes)
        .fetch_all(conn)
        .await?)
}

/// One of the city's accounts.
pub async fn in_city(tx: &mut TenantTx, id: Uuid) -> Result<CityAccount> {
    let (city, conn) = tx.parts();
    let sql = format!("select {CITY_COLUMNS} from accounts where home_city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("account"))
}

/// The city's account acting as this coach record, if any.
pub async fn of_coach(tx: &mut TenantTx, coach: CoachId) -> Result<Option<Uuid>> {
    let (city, conn) = tx.parts();
    Ok(
        sqlx::query_scalar("select id from accounts where home_city_id = $1 and coach_id = $2")
            .bind(city)
            .bind(coach.as_uuid())
            .fetch_optional(conn)
            .await?,
    )
}

/// The city's account acting as this participant, if any.
pub async fn of_participant(tx: &mut TenantTx, participant: ParticipantId) -> Result<Option<Uuid>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select id from accounts where home_city_id = $1 and participant_id = $2",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .fetch_optional(conn)
    .await?)
}

/// Whether the city has an account with this email.
pub async fn email_in_city(tx: &mut TenantTx, email: &str) -> Result<bool> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select exists (select 1 from accounts where home_city_id = $1 and email = lower($2))",
    )
    .bind(city)
    .bind(email)
    .fetch_one(conn)
    .await?)
}

/// Disables or enables one of the city's accounts (a change ends its
/// sessions: the table's trigger bumps the session version and revokes its
/// refresh tokens). Returns whether anything changed.
pub async fn set_disabled(tx: &mut TenantTx, id: Uuid, disabled: bool) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update accounts set disabled = $3 where home_city_id = $1 and id = $2 and disabled <> $3",
    )
    .bind(city)
    .bind(id)
    .bind(disabled)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves one of the city's staff accounts to another staff role (a coach
/// acts as a coach record; an admin as none). Ends its sessions.
pub async fn set_staff_role(
    tx: &mut TenantTx,
    id: Uuid,
    role: Role,
    coach: Option<CoachId>,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update accounts set role = $3, coach_id = $4 \
         where home_city_id = $1 and id = $2 and role in ('chapter_admin', 'coach') \
           and (role <> $3 or coach_id is distinct from $4)",
    )
    .bind(city)
    .bind(id)
    .bind(role.code())
    .bind(coach.map(|c| c.as_uuid()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A demo or benchmark account with a known password.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password_hash: String,
    pub principal_role: Role,
    pub city: Option<CityId>,
    pub coach: Option<CoachId>,
    pub participant: Option<ParticipantId>,
}

/// Creates the account through the owner's connection (seeds and benchmarks
/// only: real people get accounts by accepting an invitation), or returns
/// the id of the one with that email.
pub async fn create_as_owner(sys: &SystemDb, new: &NewAccount) -> Result<Uuid> {
    Ok(
        sqlx::query_scalar("select soi_auth_create_account($1, $2, $3, $4, $5, $6, 'ru')")
            .bind(new.email.as_str())
            .bind(&new.password_hash)
            .bind(new.principal_role.code())
            .bind(new.city.map(|c| c.as_uuid()))
            .bind(new.coach.map(|c| c.as_uuid()))
            .bind(new.participant.map(|p| p.as_uuid()))
            .fetch_one(sys.owner_pool())
            .await?,
    )
}

/// Erases the account (and invitations) of a participant of the
/// transaction's city through the narrow path: a placeholder address, no
/// usable password, disabled (which ends its sessions). Needs an admin's or
/// system work's scope. True when there was an account to erase.
pub async fn erase_of_participant(tx: &mut TenantTx, participant: ParticipantId) -> Result<bool> {
    let (_, conn) = tx.parts();
    let n: i32 = sqlx::query_scalar("select soi_auth_erase_participant($1)")
        .bind(participant.as_uuid())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
