//! Password resets: asked for by email (the answer never tells whether the
//! address has an account), emailed as a single-use link in the account's
//! language, used once to set a new password, which ends every session.

use super::{AccountTx, Links, new_token};
use chrono::Utc;
use soi_core::Language;
use soi_db::auth::password_resets;
use soi_db::{Db, Result};
use soi_mail::kinds::accounts as mail;

/// Starts a reset for `email` if an enabled account has it, and emails the
/// link; does nothing otherwise. Returns whether an email was queued (for
/// the caller's log and tests only: the client's answer must not depend on
/// it). A city account's email and audit row go in its city; a national
/// account's in the national mailbox and audit log, in the same transaction
/// as the reset itself.
#[tracing::instrument(skip_all)]
pub async fn request(
    db: &Db,
    links: &Links,
    email: &str,
    request_id: Option<&str>,
) -> Result<bool> {
    let (token, hash) = new_token()?;
    let expires_at = Utc::now() + links.reset_ttl;
    let mut tx = db.national().await?;
    let Some(target) = password_resets::request(&mut tx, email, &hash, expires_at).await? else {
        tx.commit().await?;
        return Ok(false);
    };
    let email = ResetEmail {
        links,
        to: &target,
        token: &token,
        expires_at,
        request_id,
    };
    match target.city {
        // The reset, its email and its audit row commit together.
        None => {
            email.send(&mut tx).await?;
            tx.commit().await?;
        }
        // The city's mail and audit log are seen only in its scope.
        Some(city) => {
            tx.commit().await?;
            let mut tx = db.tenant(&super::JOB.in_city(city)).await?;
            email.send(&mut tx).await?;
            tx.commit().await?;
        }
    }
    Ok(true)
}

/// A reset link on its way to the account's address, in its language.
struct ResetEmail<'a> {
    links: &'a Links,
    to: &'a password_resets::ResetFor,
    token: &'a str,
    expires_at: chrono::DateTime<Utc>,
    request_id: Option<&'a str>,
}

impl ResetEmail<'_> {
    /// Enqueues the email and audits the request, in the account's mailbox and log.
    async fn send(&self, tx: &mut impl AccountTx) -> Result<()> {
        let language = Language::parse(&self.to.language).unwrap_or(Language::Ru);
        let link = self.links.password_reset(self.token);
        let (sealer, address) = (&self.links.sealer, &self.to.email);
        mail::password_reset(tx, sealer, address, language, self.expires_at, &link).await?;
        let targets = serde_json::json!({ "accountId": self.to.account });
        tx.audit(
            self.to.account,
            "requestPasswordReset",
            &targets,
            self.request_id,
        )
        .await
    }
}

/// Why a new password was not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The token is unknown, used or expired.
    Token,
    /// The password breaks the policy.
    Policy(soi_auth::PasswordProblem),
}

/// Sets a new password with a reset token: checked against the policy and
/// the account's address, hashed off the runtime, stored; every session of
/// the account ends and its audit log (the city's, or the national one)
/// records it.
#[tracing::instrument(skip_all)]
pub async fn reset(
    db: &Db,
    token: &str,
    password: String,
    request_id: Option<&str>,
) -> Result<std::result::Result<(), Refused>> {
    let hash = soi_auth::token_hash(token);
    let mut tx = db.national().await?;
    let target = password_resets::target_of_token(&mut tx, &hash).await?;
    tx.commit().await?;
    let Some((email, city)) = target else {
        return Ok(Err(Refused::Token));
    };
    if let Err(p) = soi_auth::check_password(&password, &email) {
        return Ok(Err(Refused::Policy(p)));
    }
    let password_hash = hash_off_runtime(password).await?;
    // The new password and its audit row commit together: in the city, or
    // (a national account) in a transaction with no city.
    let done = match city {
        Some(city) => {
            let mut tx = db.tenant(&super::JOB.in_city(city)).await?;
            let done = set_password(&mut tx, &hash, &password_hash, request_id).await?;
            tx.commit().await?;
            done
        }
        None => {
            let mut tx = db.national().await?;
            let done = set_password(&mut tx, &hash, &password_hash, request_id).await?;
            tx.commit().await?;
            done
        }
    };
    Ok(if done { Ok(()) } else { Err(Refused::Token) })
}

/// Uses the reset token to set the new password hash, audited; false for a
/// token that is no longer usable.
async fn set_password(
    tx: &mut impl AccountTx,
    token_hash: &[u8],
    password_hash: &str,
    request_id: Option<&str>,
) -> Result<bool> {
    let Some((account, _)) = password_resets::reset(tx, token_hash, password_hash).await? else {
        return Ok(false);
    };
    let targets = serde_json::json!({ "accountId": account });
    tx.audit(account, "resetPassword", &targets, request_id)
        .await?;
    Ok(true)
}

/// An argon2id hash, computed on the blocking pool.
pub async fn hash_off_runtime(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || soi_auth::hash_password(&password))
        .await
        .map_err(|_| soi_db::Error::Unavailable("password hashing stopped".into()))?
        .map_err(|_| soi_db::Error::Unavailable("password hashing failed".into()))
}
