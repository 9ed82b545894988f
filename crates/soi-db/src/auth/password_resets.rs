//! Password resets, reached only through the narrow path (a reset is asked
//! for by email, before anyone signs in; soi_app has no privilege on the
//! table). A token is stored as its SHA-256 hash, works once, expires, and a
//! newer request voids older ones.

use crate::{NationalTx, Result};
use chrono::{DateTime, Utc};
use soi_core::CityId;
use uuid::Uuid;

/// Who a reset email goes to.
#[derive(Debug, Clone)]
pub struct ResetFor {
    pub account: Uuid,
    pub city: Option<CityId>,
    pub email: String,
    pub language: String,
}

/// Starts a reset for the enabled account with this email, storing the
/// token's hash; `None` when there is no such account (the caller must
/// answer the same either way).
pub async fn request(
    tx: &mut NationalTx,
    email: &str,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<Option<ResetFor>> {
    let row: Option<(Uuid, Option<Uuid>, String, String)> = sqlx::query_as(
        "select account_id, home_city_id, email, language from soi_auth_request_reset($1, $2, $3)",
    )
    .bind(email.trim())
    .bind(hash)
    .bind(expires_at)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|(account, city, email, language)| ResetFor {
        account,
        city: city.map(CityId::from),
        email,
        language,
    }))
}

/// The address of the account a usable reset token is for (the new
/// password is checked against it); `None` for an unknown, used or expired
/// token.
pub async fn email_of_token(tx: &mut NationalTx, hash: &[u8]) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("select soi_auth_reset_email($1)")
        .bind(hash)
        .fetch_one(tx.conn())
        .await?)
}

/// Uses a reset token once, setting the new password hash (every session of
/// the account ends). Returns the account and its city, or `None` for an
/// unknown, used or expired token.
pub async fn reset(
    tx: &mut NationalTx,
    hash: &[u8],
    password_hash: &str,
) -> Result<Option<(Uuid, Option<CityId>)>> {
    let (outcome, account, city): (String, Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "select outcome, account_id, home_city_id from soi_auth_reset_password($1, $2)",
    )
    .bind(hash)
    .bind(password_hash)
    .fetch_one(tx.conn())
    .await?;
    Ok(match (outcome.as_str(), account) {
        ("ok", Some(account)) => Some((account, city.map(CityId::from))),
        _ => None,
    })
}
