//! Money given to a social cause (`disbursements`). The gift and its ledger
//! entry are written under the city's ledger lock, after checking the
//! balance covers it (`soi_service::funds::give`), so two gifts at once
//! cannot together spend more than the city holds.

use super::{check_amount, check_url};
use crate::{Error, Result, TenantTx};
use chrono::NaiveDate;
use soi_core::{CauseId, DisbursementId, InputError};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Disbursement {
    #[sqlx(try_from = "Uuid")]
    pub id: DisbursementId,
    #[sqlx(try_from = "Uuid")]
    pub cause_id: CauseId,
    pub amount_tiyn: i64,
    pub paid_on: NaiveDate,
    pub evidence_url: String,
    pub beneficiaries: i32,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct NewDisbursement {
    pub cause: CauseId,
    pub amount_tiyn: i64,
    pub paid_on: NaiveDate,
    /// Checked with [`super::check_url`]: a receipt, a transfer, a photo report.
    pub evidence_url: String,
    /// People helped, 0–10,000,000.
    pub beneficiaries: i32,
    /// 1–400 characters.
    pub description: String,
}

/// The most people one gift may count as helped (the table's check).
pub const MAX_BENEFICIARIES: i32 = 10_000_000;

const COLUMNS: &str =
    "id, cause_id, amount_tiyn, paid_on, evidence_url, beneficiaries, description";

/// The input rules of a gift: a valid amount, 0 to [`MAX_BENEFICIARIES`]
/// people, an http(s) evidence link.
pub fn check(new: &NewDisbursement) -> Result<()> {
    check_amount("amount", new.amount_tiyn)?;
    if !(0..=MAX_BENEFICIARIES).contains(&new.beneficiaries) {
        return Err(InputError::new(
            "beneficiaries",
            format!("must be between 0 and {MAX_BENEFICIARIES}"),
        )
        .into());
    }
    check_url("evidenceUrl", &new.evidence_url)?;
    Ok(())
}

/// Records a gift checked with [`check`]; that the cause is the city's and
/// the balance covers it, and the ledger entry, are the caller's.
pub async fn insert(
    tx: &mut TenantTx,
    id: DisbursementId,
    new: &NewDisbursement,
) -> Result<Disbursement> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into disbursements (city_id, id, cause_id, amount_tiyn, paid_on, evidence_url, \
         beneficiaries, description) values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(new.cause.as_uuid())
        .bind(new.amount_tiyn)
        .bind(new.paid_on)
        .bind(&new.evidence_url)
        .bind(new.beneficiaries)
        .bind(&new.description)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: DisbursementId) -> Result<Disbursement> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from disbursements where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("disbursement"))
}
