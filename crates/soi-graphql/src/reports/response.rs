//! Whole answers of the national role's report queries, kept as the bytes
//! sent. A cached report (see `cached`) still costs decoding ~100 kB and
//! resolving every figure of 200 rows again; the national report reads the
//! same for every national user, so the serialized answer itself is kept.
//! Its key holds the national version (read first, so the answer stored
//! under it is at least that new: never stale), the build, the query text,
//! the operation name and the variables.

use crate::RequestCtx;
use async_graphql::parser::types::{OperationType, Selection};
use soi_cache::{Cache, Key, Redis, Scope};
use soi_core::Role;
use soi_db::Db;
use std::time::Duration;

/// How long an answer stays. An entry is useful only until the national
/// version moves (any city's change), and a whole answer runs to a few
/// hundred kB: a short life keeps busy evenings from filling Redis with
/// answers nobody can ask for again.
const TTL: Duration = Duration::from_secs(60);

/// The root fields an answer may select to be kept.
const CACHEABLE_ROOTS: &[&str] = &["nationalReport", "__typename"];

/// Where one request's answer is kept.
pub struct ResponseSlot {
    cache: Cache,
    key: Key,
}

impl ResponseSlot {
    /// The kept answer, if any.
    pub async fn get(&self) -> Option<Vec<u8>> {
        self.cache.get_bytes(&self.key).await
    }

    /// Keeps an answer (call it only for answers without errors).
    pub async fn put(&self, body: Vec<u8>) {
        self.cache.put_bytes(&self.key, body, TTL).await;
    }
}

/// The slot of a national user's query that selects only `nationalReport`
/// (and `__typename`); `None` for anything else, without Redis, or when
/// the version cannot be read (the request then runs as usual and reports
/// its own errors).
pub async fn national_slot(
    db: &Db,
    redis: Option<&Redis>,
    ctx: &RequestCtx,
    request: &async_graphql::Request,
) -> Option<ResponseSlot> {
    let redis = redis.filter(|r| r.is_up())?;
    if ctx.principal().map(|p| p.role()) != Some(Role::National) || !only_reports(request) {
        return None;
    }
    let version = db.national_version().await.ok()?;
    let variables = serde_json::to_string(&request.variables).ok()?;
    let key = Key::new(
        Scope::National,
        "response",
        "national",
        &[
            &version.to_string(),
            env!("CARGO_PKG_VERSION"),
            &request.query,
            request.operation_name.as_deref().unwrap_or(""),
            &variables,
        ],
    );
    Some(ResponseSlot {
        cache: redis.cache(),
        key,
    })
}

/// Whether the operation to run is a query whose root holds only plain
/// report fields (no fragments, which could select anything).
fn only_reports(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let wanted = request.operation_name.as_deref();
    let mut ops = doc
        .operations
        .iter()
        .filter(|(name, _)| wanted.is_none() || wanted == name.map(|n| n.as_str()));
    let (Some((_, op)), None) = (ops.next(), ops.next()) else {
        return false;
    };
    let items = &op.node.selection_set.node.items;
    op.node.ty == OperationType::Query
        && items.iter().all(|i| match &i.node {
            Selection::Field(f) => CACHEABLE_ROOTS.contains(&f.node.name.node.as_str()),
            _ => false,
        })
        && items.iter().any(|i| match &i.node {
            Selection::Field(f) => f.node.name.node == "nationalReport",
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> async_graphql::Request {
        async_graphql::Request::new(q)
    }

    #[test]
    fn only_plain_report_queries_are_kept() {
        assert!(only_reports(&req(
            "{ nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }"
        )));
        assert!(only_reports(&req(
            "query A { __typename a: nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }"
        )));
        for q in [
            "{ __typename }",
            "{ nationalReport(from:\"2026-01\", to:\"2026-02\") { from } me { email } }",
            "{ ...F } fragment F on Query { nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }",
            "mutation { nationalReport }",
            "query A { nationalReport { from } } query B { nationalReport { to } }",
            "{ nationalReport(",
        ] {
            assert!(!only_reports(&req(q)), "{q}");
        }
        let named = |op: &str| {
            let mut r = req("query A { nationalReport { from } } query B { me { email } }");
            r.operation_name = Some(op.to_owned());
            r
        };
        assert!(only_reports(&named("A")));
        assert!(!only_reports(&named("B")));
    }
}
