//! Refresh tokens, reached only through the narrow path (`soi_auth_*`
//! functions; soi_app has no privilege on the table): each use rotates the
//! token, and a reused one revokes its whole family. Any change that ends an
//! account's sessions revokes its tokens in the accounts trigger.

use crate::{NationalTx, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub async fn store_refresh(
    tx: &mut NationalTx,
    account: Uuid,
    family: Uuid,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("select soi_auth_store_refresh($1, $2, $3, $4)")
        .bind(account)
        .bind(family)
        .bind(hash)
        .bind(expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshUse {
    /// Valid: it is now used up; issue a new one in the same family.
    Fresh { account: Uuid, family: Uuid },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used once: a copy is in someone else's hands, so the whole
    /// family has been revoked.
    Reused,
}

/// Uses a refresh token once (the row is locked, so two concurrent uses of
/// one token cannot both succeed).
pub async fn use_refresh(tx: &mut NationalTx, hash: &[u8]) -> Result<RefreshUse> {
    let (outcome, account, family): (String, Option<Uuid>, Option<Uuid>) =
        sqlx::query_as("select outcome, account_id, family from soi_auth_use_refresh($1)")
            .bind(hash)
            .fetch_one(tx.conn())
            .await?;
    Ok(match (outcome.as_str(), account, family) {
        ("fresh", Some(account), Some(family)) => RefreshUse::Fresh { account, family },
        ("reused", ..) => RefreshUse::Reused,
        _ => RefreshUse::Invalid,
    })
}

/// Signs out: revokes the family of the presented token. Returns whether the
/// token was known.
pub async fn revoke(tx: &mut NationalTx, hash: &[u8]) -> Result<bool> {
    Ok(sqlx::query_scalar("select soi_auth_revoke_refresh($1)")
        .bind(hash)
        .fetch_one(tx.conn())
        .await?)
}
