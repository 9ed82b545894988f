//! The records' exports: the funds ledger and the audit log. Each query
//! names `city_id = $1`; neither holds personal data beyond ids.

use super::{Rows, Window};
use crate::TenantTx;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One ledger entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub kind: String,
    pub amount_tiyn: i64,
    pub memo: Option<String>,
    pub reverses_id: Option<Uuid>,
}

/// Ledger entries recorded within the window, oldest first.
pub fn ledger<'t>(tx: &'t mut TenantTx, w: &Window) -> Rows<'t, LedgerRow> {
    super::stream(
        tx,
        w,
        "select id, recorded_at, kind, amount_tiyn, memo, reverses_id from ledger_entries \
         where city_id = $1 and ($3::timestamptz is null or recorded_at >= $3) \
           and ($4::timestamptz is null or recorded_at < $4) \
         order by recorded_at, id",
    )
}

/// One audit record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_account: Option<Uuid>,
    pub actor_role: Option<String>,
    pub actor_job: Option<String>,
    pub operation: String,
    pub target_ids: String,
    pub request_id: Option<String>,
}

/// Audit records within the window, oldest first (ids are UUIDv7).
pub fn audit<'t>(tx: &'t mut TenantTx, w: &Window) -> Rows<'t, AuditRow> {
    super::stream(
        tx,
        w,
        "select at, actor_kind, actor_account, actor_role, actor_job, operation, \
                target_ids::text as target_ids, request_id from audit_log \
         where city_id = $1 and ($3::timestamptz is null or at >= $3) \
           and ($4::timestamptz is null or at < $4) \
         order by id",
    )
}
