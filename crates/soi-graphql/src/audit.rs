//! The audit trail of mutations. Every root mutation field that runs in a
//! tenant transaction records itself there (see `in_city!`), so a new
//! mutation is audited without anyone remembering to. What is recorded: the
//! operation, the actor, and the ids its arguments named; never other
//! argument values, which may be personal.

use crate::seasons::ADMINS;
use crate::support::{connection, in_city, page};
use async_graphql::connection::Connection;
use async_graphql::parser::types::OperationType;
use async_graphql::{Context, ID, Object, Result, Value};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};
use soi_core::AuditId;
use soi_db::TenantTx;
use soi_db::audit::{self, AuditEntry};

/// Records the current field in `tx` when it is a root mutation field; does
/// nothing for queries and nested fields.
/// Whether the resolver runs a root field of a mutation.
pub fn is_root_mutation(ctx: &Context<'_>) -> bool {
    let root = ctx.path_node.is_some_and(|p| p.parent.is_none());
    // `query_env` is public but undocumented in async-graphql 7; the version is
    // pinned by Cargo.lock and the audit tests would catch a change.
    root && ctx.query_env.operation.node.ty == OperationType::Mutation
}

pub async fn record(ctx: &Context<'_>, tx: &mut TenantTx) -> soi_db::Result<()> {
    if !is_root_mutation(ctx) {
        return Ok(());
    }
    let mut ids = Map::new();
    if let Ok(args) = ctx.field().arguments() {
        for (name, value) in args {
            collect_ids(name.as_str(), &value, &mut ids);
        }
    }
    let request_id = ctx
        .data_opt::<crate::RequestCtx>()
        .map(|r| r.request_id().to_owned());
    audit::record(
        tx,
        ctx.field().name(),
        &Json::Object(ids),
        request_id.as_deref(),
    )
    .await
}

/// Keeps arguments named `id`, `…Id` or `…Ids` (at any depth of an input
/// object) whose values are strings: ids, never free text.
fn collect_ids(name: &str, value: &Value, out: &mut Map<String, Json>) {
    let id_name = name == "id" || name.ends_with("Id") || name.ends_with("Ids");
    match value {
        Value::String(s) if id_name && is_id(s) => {
            out.insert(name.to_owned(), Json::String(s.clone()));
        }
        Value::List(items) if id_name => {
            let list: Vec<Json> = items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) if is_id(s) => Some(Json::String(s.clone())),
                    _ => None,
                })
                .collect();
            out.insert(name.to_owned(), Json::Array(list));
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                collect_ids(k.as_str(), v, out);
            }
        }
        _ => {}
    }
}

/// Only well-formed UUIDs are kept, so nothing else can slip in by its name.
fn is_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

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

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The city's audit log, newest first (chapter admins).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this operation, e.g. `recordPayment`.")] operation: Option<String>,
        #[graphql(desc = "Entries per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last entry seen.")] after: Option<String>,
    ) -> Result<Connection<String, AuditEntryNode>> {
        let (p, wanted) = page::<AuditId>(first, after.as_deref())?;
        let rows = in_city!(ctx, ADMINS, |tx, _| audit::list(
            &mut tx,
            operation.as_deref(),
            p
        )
        .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |r| r.id.to_string(),
            AuditEntryNode,
        ))
    }
}
