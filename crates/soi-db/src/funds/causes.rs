//! Social causes the chapter gives to (a shelter, a clinic, a clean river).
//! What each has received is derived from disbursements and the ledger.

use crate::TenantTx;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use soi_core::CauseId;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Cause {
    #[sqlx(try_from = "Uuid")]
    pub id: CauseId,
    pub title: String,
    pub description: String,
    /// Who is helped, in words ("children of the Almaty orphanage No. 1").
    pub beneficiaries: String,
    pub target_tiyn: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A cause with what it has been given so far.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CauseSummary {
    #[sqlx(flatten)]
    pub cause: Cause,
    /// Disbursements not reversed.
    pub given_tiyn: i64,
    /// People helped by disbursements not reversed.
    pub beneficiaries_helped: i64,
}

#[derive(Debug, Clone)]
pub struct NewCause {
    /// 1–200 characters, unique in the city.
    pub title: String,
    /// 1–4000 characters.
    pub description: String,
    /// 1–400 characters.
    pub beneficiaries: String,
    pub target_tiyn: Option<i64>,
}

const COLUMNS: &str = "id, title, description, beneficiaries, target_tiyn, created_at";

pub async fn create(tx: &mut TenantTx, id: CauseId, new: &NewCause) -> Result<Cause> {
    if let Some(t) = new.target_tiyn {
        super::check_amount("target", t)?;
    }
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into social_causes (city_id, id, title, description, beneficiaries, target_tiyn) \
         values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.beneficiaries)
        .bind(new.target_tiyn)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: CauseId) -> Result<Cause> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from social_causes where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("cause"))
}

/// Every cause by title, with what it was given. The ledger is read once:
/// an entry and its reversal share a group (`coalesce(reverses_id, id)`), so a
/// group holding a reversal is a reversed disbursement.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<CauseSummary>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "with settled as ( \
           select (array_agg(l.disbursement_id) filter (where l.disbursement_id is not null))[1] \
                    as disbursement_id, \
                  bool_or(l.kind = 'reversal') as reversed \
           from ledger_entries l \
           where l.city_id = $1 and l.kind in ('disbursement', 'reversal') \
           group by coalesce(l.reverses_id, l.id)) \
         select c.id, c.title, c.description, c.beneficiaries, c.target_tiyn, c.created_at, \
                coalesce(sum(d.amount_tiyn) filter (where not s.reversed), 0)::bigint as given_tiyn, \
                coalesce(sum(d.beneficiaries) filter (where not s.reversed), 0)::bigint \
                  as beneficiaries_helped \
         from social_causes c \
         left join disbursements d on d.city_id = $1 and d.cause_id = c.id \
         left join settled s on s.disbursement_id = d.id \
         where c.city_id = $1 \
         group by c.city_id, c.id \
         order by c.title",
    )
    .bind(city)
    .fetch_all(conn)
    .await?)
}
