//! Money the chapter spent (`expenses`: ice time, costumes, transport), each
//! with its ledger entry in the same transaction
//! (`soi_service::funds::record_expense`).
//!
//! An expense larger than the balance is accepted: it already happened (someone
//! advanced the money), and refusing it would only hide it. The balance then
//! shows the debt as a negative figure until money comes in; disbursements to
//! causes are refused while the balance does not cover them.

use super::check_amount;
use crate::{Error, Result, TenantTx};
use chrono::NaiveDate;
use soi_core::{ExpenseId, InputError, InputResult};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Expense {
    #[sqlx(try_from = "Uuid")]
    pub id: ExpenseId,
    pub tag: String,
    pub amount_tiyn: i64,
    pub spent_on: NaiveDate,
    pub description: String,
    pub receipt_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewExpense {
    /// What kind of spending, e.g. `ice_rent`; see [`check_tag`].
    pub tag: String,
    pub amount_tiyn: i64,
    pub spent_on: NaiveDate,
    /// 1–400 characters.
    pub description: String,
    /// Checked with [`super::check_url`].
    pub receipt_url: Option<String>,
}

/// A tag: a lower-case letter, then 1–39 of a–z, 0–9 and `_`.
pub fn check_tag(tag: &str) -> InputResult<String> {
    let t = tag.trim();
    let ok = (2..=40).contains(&t.len())
        && t.starts_with(|c: char| c.is_ascii_lowercase())
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(t.to_owned())
    } else {
        Err(InputError::new(
            "tag",
            "must be 2–40 of a-z, 0-9 and _, starting with a letter (e.g. ice_rent)",
        ))
    }
}

const COLUMNS: &str = "id, tag, amount_tiyn, spent_on, description, receipt_url";

/// Records an expense (its ledger entry is the caller's).
pub async fn insert(tx: &mut TenantTx, id: ExpenseId, new: &NewExpense) -> Result<Expense> {
    check_amount("amount", new.amount_tiyn)?;
    check_tag(&new.tag)?;
    if let Some(url) = &new.receipt_url {
        super::check_url("receiptUrl", url)?;
    }
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into expenses (city_id, id, tag, amount_tiyn, spent_on, description, receipt_url) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(&new.tag)
        .bind(new.amount_tiyn)
        .bind(new.spent_on)
        .bind(&new.description)
        .bind(new.receipt_url.as_deref())
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: ExpenseId) -> Result<Expense> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from expenses where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("expense"))
}

#[cfg(test)]
mod tests {
    use super::check_tag;

    #[test]
    fn tags_follow_the_table_check() {
        assert!(check_tag("ice_rent").is_ok());
        assert!(check_tag("a1").is_ok());
        assert!(check_tag("a").is_err());
        assert!(check_tag("Ice").is_err());
        assert!(check_tag("1ice").is_err());
        assert!(check_tag("ice-rent").is_err());
        assert!(check_tag(&"a".repeat(41)).is_err());
    }
}
