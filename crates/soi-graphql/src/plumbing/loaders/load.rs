//! `ctx.load(key)`: how resolvers read through the request's loaders, with
//! the db layer's errors as typed GraphQL errors.

use super::batch::{CityLoader, LoadError, Loaders, clone_error};
use crate::plumbing::error::db_error;
use crate::plumbing::request::RequestCtx;
use crate::plumbing::snapshot::Snapshot;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

/// What `K` loads.
pub type Loaded<K> = <CityLoader as Loader<K>>::Value;

/// Loading through the request's loaders: `ctx.load(key)`. Errors are the
/// typed GraphQL errors of the db layer, as [`crate::plumbing::run::in_city`] gives.
pub trait Load {
    /// The value of one key; `None` when the batch found nothing for it.
    fn load<K>(&self, key: K) -> impl Future<Output = Result<Option<Loaded<K>>>> + Send
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>;

    /// The value of one key that must exist: `NOT_FOUND` naming `what`.
    fn load_required<K>(
        &self,
        key: K,
        what: &'static str,
    ) -> impl Future<Output = Result<Loaded<K>>> + Send
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>;

    /// Puts values another batch has read into the request's cache of `K`,
    /// so a later load of those keys takes them from there instead of
    /// running its own batch. Only a query caches: elsewhere this does nothing.
    fn feed<K>(&self, values: Vec<(K, Loaded<K>)>) -> impl Future<Output = Result<()>> + Send
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>;
}

/// The request's loaders, and its context for errors. Arms the query's
/// snapshot first: the loaders' batches cannot see the operation themselves;
/// and a query's loaders cache what they read (one snapshot: nothing read
/// can go stale before the answer is sent).
fn parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a Loaders, &'a RequestCtx)> {
    let query = ctx.data::<Arc<Snapshot>>()?.arm(ctx);
    let loaders = ctx.data::<Loaders>()?;
    if query {
        loaders.enable_all_cache(true);
    }
    Ok((loaders, ctx.data::<RequestCtx>()?))
}

impl Load for Context<'_> {
    fn load<K>(&self, key: K) -> impl Future<Output = Result<Option<Loaded<K>>>> + Send
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>,
    {
        // Boxed: the loader's future is large, and a resolver's future is as
        // large as its largest field's, so every field of an object that
        // loads anything would be allocated and copied at that size.
        Box::pin(async move {
            let (loader, req) = parts(self)?;
            let found = loader.load_one(key).await;
            found.map_err(|e| db_error(clone_error(&e), req.request_id()))
        })
    }

    async fn load_required<K>(&self, key: K, what: &'static str) -> Result<Loaded<K>>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>,
    {
        let req = self.data::<RequestCtx>()?;
        self.load(key)
            .await?
            .ok_or_else(|| db_error(soi_db::Error::NotFound(what), req.request_id()))
    }

    async fn feed<K>(&self, values: Vec<(K, Loaded<K>)>) -> Result<()>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        CityLoader: Loader<K, Error = LoadError>,
    {
        let (loaders, _) = parts(self)?;
        if self.data::<Arc<Snapshot>>()?.armed() {
            loaders.feed_many(values).await;
        }
        Ok(())
    }
}
