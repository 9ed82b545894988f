//! Writing the audit trail. Every root mutation field that runs in a tenant
//! transaction records itself there (see [`super::run`]), so a new mutation
//! is audited without anyone remembering to. What is recorded: the
//! operation, the actor, and the ids its arguments named; never other
//! argument values, which may be personal.

use super::request::RequestCtx;
use async_graphql::parser::types::OperationType;
use async_graphql::{Context, Value};
use serde_json::{Map, Value as Json};
use soi_db::TenantTx;
use soi_db::audit;

/// Whether the resolver runs a root field of a mutation.
pub fn is_root_mutation(ctx: &Context<'_>) -> bool {
    let root = ctx.path_node.is_some_and(|p| p.parent.is_none());
    // `query_env` is public but undocumented in async-graphql 7; the version is
    // pinned by Cargo.lock and the audit tests would catch a change.
    root && ctx.query_env.operation.node.ty == OperationType::Mutation
}

/// Records the current field in `tx` when it is a root mutation field; does
/// nothing for queries and nested fields.
pub async fn record(ctx: &Context<'_>, tx: &mut TenantTx) -> soi_db::Result<()> {
    if !is_root_mutation(ctx) {
        return Ok(());
    }
    let (ids, request_id) = entry(ctx);
    audit::record(tx, ctx.field().name(), &ids, request_id.as_deref()).await
}

/// What the current field's audit row holds besides its operation and
/// actor: the ids its arguments named, and the request's id. For a
/// mutation whose transaction is not its own (reservations made together,
/// each audited as its own request).
pub fn entry(ctx: &Context<'_>) -> (Json, Option<String>) {
    let mut ids = Map::new();
    if let Ok(args) = ctx.field().arguments() {
        for (name, value) in args {
            collect_ids(name.as_str(), &value, &mut ids);
        }
    }
    let request_id = ctx
        .data_opt::<RequestCtx>()
        .map(|r| r.request_id().to_owned());
    (Json::Object(ids), request_id)
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
