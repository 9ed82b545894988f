//! An audit log entry as chapter admins see it.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use soi_db::audit::AuditEntry;

pub struct AuditEntryNode(pub AuditEntry);

/// One mutation recorded in the city's audit log.
#[Object(name = "AuditEntry")]
impl AuditEntryNode {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// When the mutation ran.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// `user`, `system` or `public` (someone not signed in).
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    /// The signed-in user's account id.
    async fn actor_account(&self) -> Option<ID> {
        self.0.actor_account.map(|a| ID(a.to_string()))
    }
    /// The signed-in user's role code.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }
    /// The job's name, for system work.
    async fn actor_job(&self) -> Option<&str> {
        self.0.actor_job.as_deref()
    }
    /// The mutation's field name, e.g. `createRink`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// The ids the mutation's arguments named, by argument name.
    async fn target_ids(&self) -> async_graphql::Json<Json> {
        async_graphql::Json(self.0.target_ids.clone())
    }
    /// The request id, to match the server's log.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
