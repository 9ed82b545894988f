//! Whether a signed-in session still holds: the account's current session
//! version (`accounts.auth_version`, bumped by a trigger whenever the
//! account is disabled, changes role, password, coach, participant or city).
//!
//! The gateway asks this for every account it serves a token of (through a
//! per-process cache), so the read is one statement in one round trip, run
//! outside any transaction: `soi_auth_session_version` is a security-definer
//! function that answers for one id and can list nothing, so it needs no
//! tenant scope (the runtime role cannot read `accounts` outside its city).

use crate::{Db, Result};
use uuid::Uuid;

/// The account's current session version; `None` when the account is
/// disabled or gone (every token of it is then refused).
pub async fn current_version(db: &Db, account: Uuid) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar("select soi_auth_session_version($1)")
        .bind(account)
        .fetch_one(db.pool())
        .await?)
}
