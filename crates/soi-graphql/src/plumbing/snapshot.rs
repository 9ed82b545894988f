//! One query, one snapshot. The resolvers and loaders of a GraphQL query
//! share one read-only, repeatable-read tenant transaction per scope, so
//! every field of its answer reads the database at the same moment (a
//! writer committing between two loaders' reads is seen by neither), and a
//! query costs one `begin` and one connection, not one per resolver and
//! batch. Mutations keep a transaction per resolver (each commits what it
//! wrote); subscriptions re-read in a transaction per event.
//!
//! The transaction is held behind a lock: the sibling fields a query
//! resolves concurrently take turns on its one connection. A body must not
//! wait for another resolver's or loader's database work while it holds
//! the lock; bodies are db-layer calls, which never do.

use async_graphql::Context;
use async_graphql::parser::types::OperationType;
use soi_core::CityScope;
use soi_db::{Db, TenantTx};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Mutex;

/// The request's shared transactions, opened on first use. Dropped with the
/// request: a read-only transaction's rollback is its end.
pub struct Snapshot {
    db: Db,
    /// Set once the operation is known to be a query (see [`Snapshot::arm`]).
    armed: AtomicBool,
    open: Mutex<Vec<TenantTx>>,
}

impl Snapshot {
    pub fn new(db: &Db) -> Arc<Self> {
        Arc::new(Self {
            db: db.clone(),
            armed: AtomicBool::new(false),
            open: Mutex::new(Vec::new()),
        })
    }

    /// Marks the request a query when `ctx`'s operation is one. Loaders see
    /// no context of their own, so every load arms it before it batches.
    pub fn arm(&self, ctx: &Context<'_>) -> bool {
        // `query_env` is public but undocumented in async-graphql 7 (see
        // `audit_trail::is_root_mutation`); the snapshot tests would catch a change.
        if ctx.query_env.operation.node.ty == OperationType::Query {
            self.armed.store(true, Ordering::Relaxed);
        }
        self.armed()
    }

    /// The pool, for the transactions of mutations and subscriptions.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn armed(&self) -> bool {
        self.armed.load(Ordering::Relaxed)
    }

    /// Runs `body` in the request's transaction of `scope`, opening it on
    /// first use. A body that fails on a statement leaves the transaction
    /// unusable, so it is dropped and the next body opens a fresh one.
    pub async fn run<T>(
        &self,
        scope: &CityScope,
        request_id: &str,
        body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
    ) -> soi_db::Result<T> {
        let mut open = self.open.lock().await;
        let at = match open.iter().position(|tx| tx.scope() == scope) {
            Some(at) => at,
            None => {
                let mut tx = self.db.tenant_snapshot(scope).await?;
                tx.set_request_id(request_id);
                open.push(tx);
                open.len() - 1
            }
        };
        let out = body(&mut open[at]).await;
        // In a read-only transaction `NotFound` is a row that is not there
        // (no statement failed: foreign keys are checked on writes only);
        // any other error may have come from the server, which then refuses
        // the rest of the transaction (a refusal by row-level security, too).
        if let Err(e) = &out
            && !matches!(e, soi_db::Error::NotFound(_))
        {
            open.swap_remove(at);
        }
        out
    }
}
