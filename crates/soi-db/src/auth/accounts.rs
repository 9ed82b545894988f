//! Sign-in accounts (`accounts`): a national table, read and written in a
//! [`NationalTx`] because signing in comes before a city is known (a city's
//! admins are read in its [`TenantTx`]).

use crate::NationalTx;
use crate::TenantTx;
use crate::{Error, Result};
use soi_core::{CityId, CoachId, Email, ParticipantId, Principal, Role};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub home_city_id: Option<Uuid>,
    pub coach_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub disabled: bool,
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

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password_hash: String,
    pub principal_role: Role,
    pub city: Option<CityId>,
    pub coach: Option<CoachId>,
    pub participant: Option<ParticipantId>,
}

const COLUMNS: &str =
    "id, email, password_hash, role, home_city_id, coach_id, participant_id, disabled";

pub async fn by_email(tx: &mut NationalTx, email: &str) -> Result<Option<Account>> {
    let sql = format!("select {COLUMNS} from accounts where email = lower($1)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(tx.conn())
        .await?)
}

pub async fn get(tx: &mut NationalTx, id: Uuid) -> Result<Account> {
    let sql = format!("select {COLUMNS} from accounts where id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(Error::NotFound("account"))
}

/// Creates the account, or leaves an existing one with the same email as it
/// is; returns the account and whether it is new.
pub async fn create(tx: &mut NationalTx, new: &NewAccount) -> Result<(Account, bool)> {
    let sql = format!(
        "insert into accounts (id, email, password_hash, role, home_city_id, coach_id, participant_id) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (email) do nothing returning {COLUMNS}"
    );
    let inserted: Option<Account> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(Uuid::now_v7())
        .bind(new.email.as_str())
        .bind(&new.password_hash)
        .bind(new.principal_role.code())
        .bind(new.city.map(|c| c.as_uuid()))
        .bind(new.coach.map(|c| c.as_uuid()))
        .bind(new.participant.map(|p| p.as_uuid()))
        .fetch_optional(tx.conn())
        .await?;
    match inserted {
        Some(a) => Ok((a, true)),
        None => Ok((
            by_email(tx, new.email.as_str())
                .await?
                .ok_or(Error::NotFound("account"))?,
            false,
        )),
    }
}

/// (account id, email, language) of the city's enabled chapter admins, for
/// notices to the chapter. Accounts are national; this reads those whose
/// home is the transaction's city.
pub async fn city_admins(tx: &mut TenantTx) -> Result<Vec<(Uuid, String, soi_core::Language)>> {
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
            let lang = soi_core::Language::parse(&lang).map_err(Error::Invalid)?;
            Ok((id, email, lang))
        })
        .collect()
}

/// Sets the language of the emails the account receives as staff.
pub async fn set_language(tx: &mut NationalTx, id: Uuid, lang: soi_core::Language) -> Result<()> {
    let done = sqlx::query("update accounts set language = $2 where id = $1")
        .bind(id)
        .bind(lang.code())
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("account"));
    }
    Ok(())
}
