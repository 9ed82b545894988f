//! Changing one's own password, as a compare-and-swap on the account's
//! session version: [`read`] takes the stored hash with the version it is
//! at, the current password is checked and the new one hashed off the
//! database, and [`write`] sets it only while the account is still at that
//! version. A reset, disable or role change that commits in between wins;
//! the caller is told to sign in again and nothing is written.

use soi_auth::PasswordProblem;
use soi_core::Principal;
use soi_db::auth::{accounts, national_audit};
use soi_db::{Db, Result};
use uuid::Uuid;

/// What [`read`] found about an enabled account.
#[derive(Debug, Clone)]
pub struct Stored {
    pub email: String,
    pub password_hash: String,
    /// The session version the hash was read at.
    pub version: i32,
}

/// Why a password was not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The account is disabled or gone.
    Gone,
    /// The current password given is wrong.
    WrongCurrent,
    /// The new password breaks the policy.
    Policy(PasswordProblem),
    /// The account changed (a reset, a disable, another role) after it was
    /// read: nothing was written.
    Moved,
}

/// The address, password hash and session version of an enabled account.
pub async fn read(db: &Db, account: Uuid) -> Result<Option<Stored>> {
    let mut tx = db.national().await?;
    let stored = accounts::password_hash(&mut tx, account).await?;
    let found = match stored {
        Some(s) => Some(Stored {
            email: accounts::get(&mut tx, account).await?.email,
            password_hash: s.password_hash,
            version: s.auth_version,
        }),
        None => None,
    };
    tx.commit().await?;
    Ok(found)
}

/// Sets `new_hash` as `who`'s password if the account is still at
/// `version`, with its audit row in the same transaction (the user's city,
/// as the user; the national log for a national account). Returns the new
/// session version; `None` when the account moved on (nothing written).
pub async fn write(
    db: &Db,
    who: &Principal,
    version: i32,
    new_hash: &str,
    request_id: Option<&str>,
) -> Result<Option<i32>> {
    let id = who.account();
    let targets = serde_json::json!({ "accountId": id });
    let written = match who.city_scope() {
        Some(scope) => {
            let mut tx = db.tenant(&scope).await?;
            if let Some(rid) = request_id {
                tx.set_request_id(rid);
            }
            let v = accounts::set_password(&mut tx, id, new_hash, version).await?;
            if v.is_some() {
                soi_db::audit::record(&mut tx, "changePassword", &targets, request_id).await?;
            }
            tx.commit().await?;
            v
        }
        None => {
            let mut tx = db.national().await?;
            let v = accounts::set_password(&mut tx, id, new_hash, version).await?;
            if v.is_some() {
                national_audit::record(
                    &mut tx,
                    Some(id),
                    None,
                    "changePassword",
                    &targets,
                    request_id,
                )
                .await?;
            }
            tx.commit().await?;
            v
        }
    };
    Ok(written)
}

/// Changes `who`'s password from `current` to `new`: checked, hashed and
/// written as a compare-and-swap ([`read`], [`write`]). Returns the new
/// session version (every other session of the account has ended).
#[tracing::instrument(skip_all)]
pub async fn change(
    db: &Db,
    who: &Principal,
    current: String,
    new: String,
    request_id: Option<&str>,
) -> Result<std::result::Result<i32, Refused>> {
    // Longer than any password we store: not worth a hash.
    if current.len() > 1024 {
        return Ok(Err(Refused::WrongCurrent));
    }
    let Some(stored) = read(db, who.account()).await? else {
        return Ok(Err(Refused::Gone));
    };
    let hash = stored.password_hash;
    let matches = tokio::task::spawn_blocking(move || soi_auth::verify_password(&current, &hash))
        .await
        .map_err(|_| soi_db::Error::Unavailable("password check stopped".into()))?;
    if !matches {
        return Ok(Err(Refused::WrongCurrent));
    }
    if let Err(p) = soi_auth::check_password(&new, &stored.email) {
        return Ok(Err(Refused::Policy(p)));
    }
    let new_hash = super::passwords::hash_off_runtime(new).await?;
    Ok(write(db, who, stored.version, &new_hash, request_id)
        .await?
        .ok_or(Refused::Moved))
}
