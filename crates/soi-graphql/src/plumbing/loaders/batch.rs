//! The loader itself: one batch of keys of a kind, read in its own tenant
//! transaction of the request's city (the scope comes from the verified
//! token). The key types and their batches are in `program` and `events`.

use crate::plumbing::run::tenant_tx;
use async_graphql::dataloader::DataLoader;
use soi_core::CityScope;
use soi_db::{Db, TenantTx};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

pub struct CityLoader {
    db: Db,
    scope: CityScope,
}

/// The loaders of one request, for a signed-in city user.
pub fn for_request(db: &Db, scope: CityScope) -> DataLoader<CityLoader> {
    DataLoader::new(
        CityLoader {
            db: db.clone(),
            scope,
        },
        tokio::spawn,
    )
}

/// A batch's error, shared between every waiter of the batch.
pub type LoadError = Arc<soi_db::Error>;

impl CityLoader {
    /// Runs one batch in its own tenant transaction of the request's city.
    pub async fn batch<T>(
        &self,
        body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
    ) -> Result<T, LoadError> {
        tenant_tx(&self.db, &self.scope, body)
            .await
            .map_err(Arc::new)
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
