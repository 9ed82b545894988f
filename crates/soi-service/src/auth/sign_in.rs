//! What a sign-in leaves behind: the account's last sign-in, and a record of
//! every attempt (success and failure) in the audit log of the account's
//! city, or the national one for national accounts and unknown addresses.
//! Records hold account ids, never the address that was tried.

use soi_core::Principal;
use soi_db::auth::{accounts, national_audit};
use soi_db::{Db, Result};
use uuid::Uuid;

/// Records a successful sign-in, as the user, and notes it on the account.
pub async fn succeeded(db: &Db, who: &Principal, request_id: Option<&str>) -> Result<()> {
    let targets = serde_json::json!({ "accountId": who.account() });
    match who.city_scope() {
        Some(scope) => {
            let mut tx = db.tenant(&scope).await?;
            accounts::signed_in(&mut tx, who.account()).await?;
            soi_db::audit::record(&mut tx, "login", &targets, request_id).await?;
            tx.commit().await
        }
        None => {
            let mut tx = db.national().await?;
            accounts::signed_in(&mut tx, who.account()).await?;
            national_audit::record(
                &mut tx,
                Some(who.account()),
                None,
                "login",
                &targets,
                request_id,
            )
            .await?;
            tx.commit().await
        }
    }
}

/// Records a failed sign-in: of a known account (wrong password, or
/// disabled) in its city, or of an unknown address nationally, with no id.
pub async fn failed(
    db: &Db,
    account: Option<(Uuid, Option<soi_core::CityId>)>,
    request_id: Option<&str>,
) -> Result<()> {
    match account {
        Some((id, city)) => super::record(db, city, id, "loginFailed", request_id).await,
        None => {
            let mut tx = db.national().await?;
            national_audit::record(
                &mut tx,
                None,
                Some("sign-in"),
                "loginFailed",
                &serde_json::json!({}),
                request_id,
            )
            .await?;
            tx.commit().await
        }
    }
}
