//! Accounts: invitations (how anyone gets an account), a city's staff, and
//! passwords. Tokens are random, emailed sealed, stored only as hashes; the
//! database's narrow path does the lookups that come before a city is known.

pub mod change_password;
pub mod invitations;
pub mod passwords;
pub mod sign_in;
pub mod staff;

use chrono::Duration;
use soi_auth::Sealer;
use soi_core::{CityId, SystemCtx};
use soi_db::{Db, MailTx, NationalRead, NationalTx, Result, TenantTx};
use uuid::Uuid;

/// The actor of account work done before anyone is signed in.
const JOB: SystemCtx = SystemCtx::new("accounts");

/// Where single-use links point and how long they work.
#[derive(Debug, Clone)]
pub struct Links {
    /// Seals the token in the outbox row (the mail worker opens it).
    pub sealer: Sealer,
    /// `SOI_PUBLIC_URL`, no trailing slash.
    pub public_url: String,
    /// `SOI_INVITATION_TTL_HOURS` (72 by default).
    pub invitation_ttl: Duration,
    /// `SOI_PASSWORD_RESET_TTL_MINUTES` (60 by default).
    pub reset_ttl: Duration,
}

impl Links {
    pub fn new(sealer: Sealer, public_url: &str) -> Self {
        Self {
            sealer,
            public_url: public_url.trim_end_matches('/').to_owned(),
            invitation_ttl: Duration::hours(72),
            reset_ttl: Duration::minutes(60),
        }
    }

    /// The page that accepts an invitation (the token in the fragment would
    /// keep it out of server logs, but email clients drop fragments too
    /// often; the web app reads it and clears it from the address bar).
    pub fn invitation(&self, token: &str) -> String {
        format!("{}/accept-invitation?token={token}", self.public_url)
    }

    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/reset-password?token={token}", self.public_url)
    }

    /// The page that confirms an application made with a known address
    /// (`/confirm-application`, served by the gateway). The slug is safe
    /// in a URL as it is (lowercase letters, digits and hyphens).
    pub fn application_confirmation(&self, city_slug: &str, token: &str) -> String {
        format!(
            "{}/confirm-application/{city_slug}?token={token}",
            self.public_url
        )
    }
}

/// A fresh token and its hash, or an internal error.
pub(crate) fn new_token() -> soi_db::Result<(String, Vec<u8>)> {
    soi_auth::new_secret_token()
        .map_err(|_| soi_db::Error::Unavailable("no randomness for a token".into()))
}

/// Records an operation on an account in its city's audit log, or in the
/// national one for a national account (ids only).
pub async fn record(
    db: &Db,
    city: Option<CityId>,
    account: Uuid,
    operation: &str,
    request_id: Option<&str>,
) -> Result<()> {
    let targets = serde_json::json!({ "accountId": account });
    match city {
        Some(city) => {
            let mut tx = db.tenant(&JOB.in_city(city)).await?;
            soi_db::audit::record(&mut tx, operation, &targets, request_id).await?;
            tx.commit().await
        }
        None => {
            let mut tx = db.national().await?;
            soi_db::auth::national_audit::record(
                &mut tx,
                Some(account),
                None,
                operation,
                &targets,
                request_id,
            )
            .await?;
            tx.commit().await
        }
    }
}

/// Transactions where work on an account happens, each auditing it where
/// the account belongs: a city's tenant transaction in the city's log, a
/// transaction with no city (a national account's) in the national one,
/// with the account as its actor.
pub trait AccountTx: MailTx + NationalRead + Send {
    /// Records `operation` on `account` with these ids, in this transaction.
    fn audit(
        &mut self,
        account: Uuid,
        operation: &str,
        targets: &serde_json::Value,
        request_id: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl AccountTx for TenantTx {
    async fn audit(
        &mut self,
        _account: Uuid,
        operation: &str,
        targets: &serde_json::Value,
        request_id: Option<&str>,
    ) -> Result<()> {
        soi_db::audit::record(self, operation, targets, request_id).await
    }
}

impl AccountTx for NationalTx {
    async fn audit(
        &mut self,
        account: Uuid,
        operation: &str,
        targets: &serde_json::Value,
        request_id: Option<&str>,
    ) -> Result<()> {
        soi_db::auth::national_audit::record(
            self,
            Some(account),
            None,
            operation,
            targets,
            request_id,
        )
        .await
    }
}
