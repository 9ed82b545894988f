//! The city's audit log: who did which mutation, when, on what. Written in
//! the mutation's own transaction; append-only; read by admins (the table's
//! policy hides it from coaches and participants). Rows hold ids and
//! operation names only, never personal data.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{Actor, AuditId};
use uuid::Uuid;

/// One recorded mutation.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditEntry {
    #[sqlx(try_from = "Uuid")]
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_account: Option<Uuid>,
    pub actor_role: Option<String>,
    pub actor_job: Option<String>,
    pub operation: String,
    /// Argument name → id (or list of ids) the mutation named.
    pub target_ids: serde_json::Value,
    pub request_id: Option<String>,
}

/// Records a mutation by the transaction's actor.
pub async fn record(
    tx: &mut TenantTx,
    operation: &str,
    target_ids: &serde_json::Value,
    request_id: Option<&str>,
) -> Result<()> {
    let scope = *tx.scope();
    let (kind, account, job) = actor_columns(scope.actor());
    let (city, conn) = tx.parts();
    sqlx::query(
        "insert into audit_log (city_id, id, actor_kind, actor_account, actor_role, actor_job, \
         operation, target_ids, request_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(city)
    .bind(AuditId::new().as_uuid())
    .bind(kind)
    .bind(account)
    .bind(scope.role().map(|r| r.code()))
    .bind(job)
    .bind(operation)
    .bind(target_ids)
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records `operation` once per entry (the ids it named, the request), all
/// by the transaction's actor, in one statement: the orders a gateway
/// reserves together, each audited as its own request.
pub async fn record_many(
    tx: &mut TenantTx,
    operation: &str,
    entries: &[(serde_json::Value, Option<String>)],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let scope = *tx.scope();
    let (kind, account, job) = actor_columns(scope.actor());
    let ids: Vec<Uuid> = entries.iter().map(|_| AuditId::new().as_uuid()).collect();
    let targets: Vec<&serde_json::Value> = entries.iter().map(|(t, _)| t).collect();
    let requests: Vec<Option<&str>> = entries.iter().map(|(_, r)| r.as_deref()).collect();
    let (city, conn) = tx.parts();
    sqlx::query(
        "insert into audit_log (city_id, id, actor_kind, actor_account, actor_role, actor_job, \
         operation, target_ids, request_id) \
         select $1, u.id, $3, $4, $5, $6, $7, u.target_ids, u.request_id \
         from unnest($2::uuid[], $8::jsonb[], $9::text[]) as u (id, target_ids, request_id)",
    )
    .bind(city)
    .bind(&ids)
    .bind(kind)
    .bind(account)
    .bind(scope.role().map(|r| r.code()))
    .bind(job)
    .bind(operation)
    .bind(&targets)
    .bind(&requests)
    .execute(conn)
    .await?;
    Ok(())
}

/// The actor's columns: kind, account, system job.
fn actor_columns(actor: Actor) -> (&'static str, Option<Uuid>, Option<&'static str>) {
    match actor {
        Actor::User(id) => ("user", Some(id), None),
        Actor::System(job) => ("system", None, Some(job)),
        Actor::Public => ("public", None, None),
    }
}

/// The newest entries first, optionally of one operation.
pub async fn list(
    tx: &mut TenantTx,
    operation: Option<&str>,
    page: Page<AuditId>,
) -> Result<Vec<AuditEntry>> {
    let (city, conn) = tx.parts();
    // Ids are UUIDv7, so id order is time order and serves as the cursor.
    sqlx::query_as(
        "select id, at, actor_kind, actor_account, actor_role, actor_job, operation, target_ids, \
         request_id from audit_log \
         where city_id = $1 and ($2::text is null or operation = $2) \
           and ($3::uuid is null or id < $3) \
         order by id desc limit $4",
    )
    .bind(city)
    .bind(operation)
    .bind(page.after.map(|a| a.as_uuid()))
    .bind(page.sql_limit())
    .fetch_all(conn)
    .await
    .map_err(Error::from)
}
