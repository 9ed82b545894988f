//! Whole answers of the national role's report queries, kept as the bytes
//! sent. A cached report (see `cached`) still costs decoding ~100 kB and
//! resolving every figure of 200 rows again; the national report reads the
//! same for every national user, so the serialized answer itself is kept.
//! Its key holds the build, the query text, the operation name and the
//! variables; the entry carries the national version read before the answer
//! was made, and is used only while the version is unchanged: never stale.

use crate::plumbing::request::RequestCtx;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
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

/// Request data for a national report computed to fill a [`ResponseSlot`]:
/// the national version the slot read, so the resolver need not read it again.
#[derive(Debug, Clone, Copy)]
pub struct VersionRead(pub i64);

/// Where one request's answer is kept.
pub struct ResponseSlot {
    cache: Cache,
    key: Key,
    /// The national version read by [`ResponseSlot::get`].
    version: Option<i64>,
}

impl ResponseSlot {
    /// The kept answer when it was made at the current national version,
    /// which is read meanwhile (and kept for [`ResponseSlot::put`]). `None`
    /// on a miss, or when the version cannot be read (the request then runs
    /// as usual and reports its own errors).
    pub async fn get(&mut self, db: &Db) -> Option<Vec<u8>> {
        let (version, found) = self
            .cache
            .get_at(&self.key, db.national_version())
            .await
            .ok()?;
        self.version = Some(version);
        found
    }

    /// What to add to the request that fills this slot after a miss.
    pub fn version_read(&self) -> Option<VersionRead> {
        self.version.map(VersionRead)
    }

    /// Keeps an answer made after [`ResponseSlot::get`] missed (call it only
    /// for answers without errors).
    pub async fn put(&self, body: &[u8]) {
        if let Some(version) = self.version {
            self.cache.put_at(&self.key, version, body, TTL).await;
        }
    }
}

/// The slot of a national user's query that selects only `nationalReport`
/// (and `__typename`); `None` for anything else, or without Redis.
pub fn national_slot(
    redis: Option<&Redis>,
    ctx: &RequestCtx,
    request: &async_graphql::Request,
    doc: Option<&ExecutableDocument>,
) -> Option<ResponseSlot> {
    let redis = redis.filter(|r| r.is_up())?;
    let national = ctx.principal().map(|p| p.role()) == Some(Role::National);
    if !national || !only_reports(doc?, request.operation_name.as_deref()) {
        return None;
    }
    let variables = serde_json::to_string(&request.variables).ok()?;
    let key = Key::new(
        Scope::National,
        "response",
        "national",
        &[
            env!("CARGO_PKG_VERSION"),
            soi_core::report::RULE_VERSION,
            &request.query,
            request.operation_name.as_deref().unwrap_or(""),
            &variables,
        ],
    );
    Some(ResponseSlot {
        cache: redis.cache(),
        key,
        version: None,
    })
}

/// Whether the operation to run is a query whose root holds only plain
/// report fields (no fragments, which could select anything).
fn only_reports(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let mut ops = crate::plumbing::limits::operations_named(doc, operation_name);
    let (Some(op), None) = (ops.next(), ops.next()) else {
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

    /// Whether `q` (running `op`) may be kept; an unparsable query may not.
    fn kept(q: &str, op: Option<&str>) -> bool {
        async_graphql::parser::parse_query(q).is_ok_and(|doc| only_reports(&doc, op))
    }

    #[test]
    fn only_plain_report_queries_are_kept() {
        assert!(kept(
            "{ nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }",
            None
        ));
        assert!(kept(
            "query A { __typename a: nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }",
            None
        ));
        for q in [
            "{ __typename }",
            "{ nationalReport(from:\"2026-01\", to:\"2026-02\") { from } me { email } }",
            "{ ...F } fragment F on Query { nationalReport(from:\"2026-01\", to:\"2026-02\") { from } }",
            "mutation { nationalReport }",
            "query A { nationalReport { from } } query B { nationalReport { to } }",
            "{ nationalReport(",
        ] {
            assert!(!kept(q, None), "{q}");
        }
        let two = "query A { nationalReport { from } } query B { me { email } }";
        assert!(kept(two, Some("A")));
        assert!(!kept(two, Some("B")));
    }
}
