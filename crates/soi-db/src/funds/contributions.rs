//! Contributions of sponsors (`contributions`): pledged, then received.
//! Money received enters the ledger in the same transaction
//! (`soi_service::funds::receive`); goods and services given in kind never
//! do (they are not cash) and are reported separately at their estimated value.

use super::{ContributionForm, ContributionStatus, check_amount};
use crate::{Error, Page, Result, TenantTx};
use chrono::NaiveDate;
use soi_core::{ContributionId, SponsorId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Contribution {
    #[sqlx(try_from = "Uuid")]
    pub id: ContributionId,
    #[sqlx(try_from = "Uuid")]
    pub sponsor_id: SponsorId,
    #[sqlx(try_from = "String")]
    pub form: ContributionForm,
    #[sqlx(try_from = "String")]
    pub status: ContributionStatus,
    /// Money: the amount; in kind: its estimated value.
    pub amount_tiyn: i64,
    pub description: Option<String>,
    pub purpose: String,
    pub pledged_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Pledge {
    pub sponsor: SponsorId,
    pub form: ContributionForm,
    pub amount_tiyn: i64,
    /// What is given in kind (or a note on the money); 1–400 characters.
    pub description: Option<String>,
    /// What it is for; 1–400 characters.
    pub purpose: String,
    pub pledged_on: NaiveDate,
}

const COLUMNS: &str = "id, sponsor_id, form, status, amount_tiyn, description, purpose, \
                       pledged_on, received_on";

/// Records a promise of a sponsor of this city (`NotFound` for another's).
pub async fn pledge(tx: &mut TenantTx, id: ContributionId, p: &Pledge) -> Result<Contribution> {
    check_amount("amount", p.amount_tiyn)?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into contributions (city_id, id, sponsor_id, form, amount_tiyn, description, \
         purpose, pledged_on) \
         select $1, $2, s.id, $4, $5, $6, $7, $8 from sponsors s where s.city_id = $1 and s.id = $3 \
         returning {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(p.sponsor.as_uuid())
        .bind(p.form.code())
        .bind(p.amount_tiyn)
        .bind(p.description.as_deref())
        .bind(&p.purpose)
        .bind(p.pledged_on)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("sponsor"))
}

/// Marks a pledge received on `received_on`; the checks (still pledged, not
/// before the pledge) are the caller's, under [`lock`].
pub async fn mark_received(
    tx: &mut TenantTx,
    id: ContributionId,
    received_on: NaiveDate,
) -> Result<Contribution> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update contributions set status = 'received', received_on = $3 \
         where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(received_on)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: ContributionId) -> Result<Contribution> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from contributions where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("contribution"))
}

/// The contribution, locked until the transaction ends.
pub async fn lock(tx: &mut TenantTx, id: ContributionId) -> Result<Contribution> {
    let (city, conn) = tx.parts();
    let sql =
        format!("select {COLUMNS} from contributions where city_id = $1 and id = $2 for update");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("contribution"))
}

/// Contributions, oldest first, of one sponsor or of all.
pub async fn list(
    tx: &mut TenantTx,
    sponsor: Option<SponsorId>,
    page: Page<ContributionId>,
) -> Result<Vec<Contribution>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from contributions where city_id = $1 \
         and ($2::uuid is null or sponsor_id = $2) and ($3::uuid is null or id > $3) \
         order by id limit $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(sponsor.map(|s| s.as_uuid()))
        .bind(page.after.map(|a| a.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// Marks a contribution whose ledger entry was reversed.
pub async fn mark_reversed(tx: &mut TenantTx, id: ContributionId) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query("update contributions set status = 'reversed' where city_id = $1 and id = $2")
        .bind(city)
        .bind(id.as_uuid())
        .execute(conn)
        .await?;
    Ok(())
}
