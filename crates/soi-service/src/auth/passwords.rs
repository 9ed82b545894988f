//! Password resets: asked for by email (the answer never tells whether the
//! address has an account), emailed as a single-use link in the account's
//! language, used once to set a new password, which ends every session.

use super::{Links, new_token};
use chrono::Utc;
use soi_core::{CityScope, Language};
use soi_db::auth::{national_audit, password_resets};
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
    let language = Language::parse(&target.language).unwrap_or(Language::Ru);
    let link = links.password_reset(&token);
    let targets = serde_json::json!({ "accountId": target.account });
    const OPERATION: &str = "requestPasswordReset";
    let Some(city) = target.city else {
        mail::password_reset(
            &mut tx,
            &links.sealer,
            &target.email,
            language,
            expires_at,
            &link,
        )
        .await?;
        national_audit::record(
            &mut tx,
            Some(target.account),
            None,
            OPERATION,
            &targets,
            request_id,
        )
        .await?;
        tx.commit().await?;
        return Ok(true);
    };
    tx.commit().await?;
    let scope: CityScope = super::JOB.in_city(city);
    let mut tx = db.tenant(&scope).await?;
    mail::password_reset(
        &mut tx,
        &links.sealer,
        &target.email,
        language,
        expires_at,
        &link,
    )
    .await?;
    soi_db::audit::record(&mut tx, OPERATION, &targets, request_id).await?;
    tx.commit().await?;
    Ok(true)
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
    const OPERATION: &str = "resetPassword";
    let done = match city {
        Some(city) => {
            let mut tx = db.tenant(&super::JOB.in_city(city)).await?;
            let done = password_resets::reset(&mut tx, &hash, &password_hash).await?;
            if let Some((account, _)) = done {
                let targets = serde_json::json!({ "accountId": account });
                soi_db::audit::record(&mut tx, OPERATION, &targets, request_id).await?;
            }
            tx.commit().await?;
            done
        }
        None => {
            let mut tx = db.national().await?;
            let done = password_resets::reset(&mut tx, &hash, &password_hash).await?;
            if let Some((account, _)) = done {
                let targets = serde_json::json!({ "accountId": account });
                national_audit::record(
                    &mut tx,
                    Some(account),
                    None,
                    OPERATION,
                    &targets,
                    request_id,
                )
                .await?;
            }
            tx.commit().await?;
            done
        }
    };
    Ok(if done.is_some() {
        Ok(())
    } else {
        Err(Refused::Token)
    })
}

/// An argon2id hash, computed on the blocking pool.
pub async fn hash_off_runtime(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || soi_auth::hash_password(&password))
        .await
        .map_err(|_| soi_db::Error::Unavailable("password hashing stopped".into()))?
        .map_err(|_| soi_db::Error::Unavailable("password hashing failed".into()))
}
