//! The national audit log: what national accounts did (sign-ins,
//! invitations) and sign-in attempts for addresses no account has. Ids and
//! operation names only, never an email. Append-only; soi_app may only add.

use crate::{NationalRead, Result};
use uuid::Uuid;

/// Records an operation: by an account, or by a named job (the CLI), in a
/// transaction with no city or in the city one whose work it is about.
pub async fn record(
    tx: &mut impl NationalRead,
    actor_account: Option<Uuid>,
    actor_job: Option<&str>,
    operation: &str,
    target_ids: &serde_json::Value,
    request_id: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "insert into national_audit_log (id, actor_account, actor_job, operation, target_ids, \
         request_id) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(actor_account)
    .bind(actor_job)
    .bind(operation)
    .bind(target_ids)
    .bind(request_id)
    .execute(tx.national_conn())
    .await?;
    Ok(())
}
