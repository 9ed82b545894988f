//! The loader itself: one batch of keys of a kind, read in the request's
//! tenant transaction of its city (the scope comes from the verified token):
//! a query's shared snapshot, or for a mutation's answer a transaction of
//! the batch's own. The key types and their batches are in `program` and
//! `events`.

use crate::plumbing::run::tenant_tx;
use crate::plumbing::snapshot::Snapshot;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use soi_core::CityScope;
use soi_db::TenantTx;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

pub struct CityLoader {
    scope: CityScope,
    snapshot: Arc<Snapshot>,
    request_id: String,
}

/// The request's loaders, with a cache per key kind that only a query uses
/// (see [`super::load`]): every batch of a query reads its one snapshot, so
/// a value read (or fed) once holds for the whole answer; a mutation's
/// batches each read the database as it is then, so they never cache.
pub type Loaders = DataLoader<CityLoader, HashMapCache>;

/// The loaders of one request, for a signed-in city user; the cache is off
/// until a load finds the request is a query.
pub fn for_request(scope: CityScope, snapshot: Arc<Snapshot>, request_id: String) -> Loaders {
    let loaders = DataLoader::with_cache(
        CityLoader {
            scope,
            snapshot,
            request_id,
        },
        tokio::spawn,
        HashMapCache::default(),
    );
    loaders.enable_all_cache(false);
    loaders
}

/// A batch's error, shared between every waiter of the batch.
pub type LoadError = Arc<soi_db::Error>;

impl CityLoader {
    /// Runs one batch in the query's snapshot, or (in a mutation's answer)
    /// in its own tenant transaction of the request's city.
    pub async fn batch<T>(
        &self,
        body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
    ) -> Result<T, LoadError> {
        let out = if self.snapshot.armed() {
            self.snapshot.run(&self.scope, &self.request_id, body).await
        } else {
            tenant_tx(self.snapshot.db(), &self.scope, async |tx| {
                tx.set_request_id(&self.request_id);
                body(tx).await
            })
            .await
        };
        out.map_err(Arc::new)
    }
}

/// `rows` by key, every key of the batch present: a key without rows (a
/// coach without certificates, an empty group) gets an empty list.
pub fn grouped<K: Copy + Eq + Hash, R>(
    keys: &[K],
    rows: impl IntoIterator<Item = (K, R)>,
) -> HashMap<K, Vec<R>> {
    let mut out: HashMap<K, Vec<R>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for (k, r) in rows {
        out.entry(k).or_default().push(r);
    }
    out
}

/// A loader error is shared between waiters; each gets its own copy.
pub fn clone_error(e: &LoadError) -> soi_db::Error {
    match e.as_ref() {
        soi_db::Error::NotFound(w) => soi_db::Error::NotFound(w),
        soi_db::Error::Conflict(m) => soi_db::Error::Conflict(m.clone()),
        soi_db::Error::Forbidden => soi_db::Error::Forbidden,
        other => soi_db::Error::Unavailable(other.to_string()),
    }
}
