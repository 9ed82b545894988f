//! Refresh tokens of sign-in accounts (`refresh_tokens`), a national table
//! read and written in a [`NationalTx`]: each use rotates the token, and a
//! reused one revokes its whole family.

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
    sqlx::query(
        "insert into refresh_tokens (id, account_id, family, token_hash, expires_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
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
    let row: Option<(Uuid, Uuid, bool, bool, bool)> = sqlx::query_as(
        "select account_id, family, expires_at <= now(), used_at is not null, revoked_at is not null \
         from refresh_tokens where token_hash = $1 for update",
    )
    .bind(hash)
    .fetch_optional(tx.conn())
    .await?;
    let Some((account, family, expired, used, revoked)) = row else {
        return Ok(RefreshUse::Invalid);
    };
    if used && !revoked {
        revoke_family(tx, family).await?;
        return Ok(RefreshUse::Reused);
    }
    if expired || revoked || used {
        return Ok(RefreshUse::Invalid);
    }
    sqlx::query("update refresh_tokens set used_at = now() where token_hash = $1")
        .bind(hash)
        .execute(tx.conn())
        .await?;
    Ok(RefreshUse::Fresh { account, family })
}

/// Signs out: revokes the family of the presented token. Returns whether the
/// token was known.
pub async fn revoke(tx: &mut NationalTx, hash: &[u8]) -> Result<bool> {
    let family: Option<Uuid> =
        sqlx::query_scalar("select family from refresh_tokens where token_hash = $1")
            .bind(hash)
            .fetch_optional(tx.conn())
            .await?;
    match family {
        Some(f) => {
            revoke_family(tx, f).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

async fn revoke_family(tx: &mut NationalTx, family: Uuid) -> Result<()> {
    sqlx::query(
        "update refresh_tokens set revoked_at = now() where family = $1 and revoked_at is null",
    )
    .bind(family)
    .execute(tx.conn())
    .await?;
    Ok(())
}
