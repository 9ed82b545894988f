//! The signal and the stream behind live updates (GraphQL subscriptions over
//! `graphql-ws`; each feature's `subscription.rs` says what it watches). Every
//! committed mutation publishes a content-free "changed" signal on Redis to
//! its city's channel and the national one; a subscriber re-reads what it
//! watches in its own tenant (or national report) transaction and sends it
//! when it differs. So a change made through one gateway process reaches
//! subscribers on every other, a signal carries no data to leak, and a
//! subscriber's channel is its own city's, from its token. Without Redis (or
//! while it is down) subscribers re-read every few seconds instead.

use super::error::db_error;
use super::request::RequestCtx;
use async_graphql::futures_util::stream::{self, BoxStream, Stream, StreamExt};
use async_graphql::{Context, Result};
use soi_cache::{Channel, Redis, Scope};
use soi_core::{CityId, CityScope, Role};
use soi_db::Db;
use std::future::Future;
use std::time::Duration;

/// How often a subscriber re-reads without a signal (signals lost while
/// Redis was away are caught up by this).
const POLL: Duration = Duration::from_secs(5);
/// A burst of changes is read once, after this pause.
const SETTLE: Duration = Duration::from_millis(100);

const TOPIC: &str = "changes";

/// After a mutation's commit: the city's cached public pages are dropped
/// (its generation rises, so the writer reads their own write) and live
/// subscribers everywhere hear that something changed.
pub async fn changed(ctx: &Context<'_>, city: CityId) {
    if let Some(redis) = ctx.data_opt::<Option<Redis>>().and_then(Option::as_ref) {
        publish(redis, city).await;
    }
}

/// The same, for writers outside GraphQL (the payment webhook).
pub async fn publish(redis: &Redis, city: CityId) {
    // A failed invalidation is kept and retried by the cache layer, which
    // serves nothing of the city from the cache until it succeeds.
    let _ = redis.cache().invalidate(Scope::City(city.as_uuid())).await;
    let pubsub = redis.pubsub();
    pubsub
        .publish(&Channel::new(Scope::City(city.as_uuid()), TOPIC), "1")
        .await;
    pubsub
        .publish(&Channel::new(Scope::National, TOPIC), "1")
        .await;
}

/// The change signals of `scope` (none without Redis: polls only).
pub fn signals(redis: Option<&Redis>, scope: Scope) -> BoxStream<'static, ()> {
    match redis {
        Some(r) => r
            .pubsub()
            .subscribe(&Channel::new(scope, TOPIC))
            .map(|_| ())
            .boxed(),
        None => stream::pending().boxed(),
    }
}

/// `first`, then each new value `read` gives after a signal or a poll, when
/// it differs from the last one sent. A failed read is skipped (logged).
pub fn live<T, F, Fut>(signals: BoxStream<'static, ()>, first: T, read: F) -> impl Stream<Item = T>
where
    T: PartialEq + Clone + Send + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = soi_db::Result<T>> + Send,
{
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let tail = stream::unfold(
        (signals, first.clone(), read, tick),
        |(mut signals, last, read, mut tick)| async move {
            loop {
                tokio::select! {
                    s = signals.next() => if s.is_none() { signals = stream::pending().boxed(); },
                    _ = tick.tick() => {},
                }
                tokio::time::sleep(SETTLE).await;
                match read().await {
                    Ok(v) if v != last => return Some((v.clone(), (signals, v, read, tick))),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "live update not read"),
                }
            }
        },
    );
    stream::once(async move { first }).chain(tail)
}

/// What a subscription needs after its first read: who asks, the pool
/// and Redis (both owned, as the stream outlives the request).
pub fn parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a RequestCtx, Db, Option<Redis>)> {
    Ok((
        ctx.data::<RequestCtx>()?,
        ctx.data::<Db>()?.clone(),
        ctx.data_opt::<Option<Redis>>().cloned().flatten(),
    ))
}

/// What `read` gives for the signed-in user's city (if their role is one of
/// `roles`): now, then again after each change signal of the city (or a
/// poll) when it differs. `read` gets the pool and the user's scope.
pub async fn watch_city<T, F, Fut>(
    ctx: &Context<'_>,
    roles: &[Role],
    read: F,
) -> Result<impl Stream<Item = T> + use<T, F, Fut>>
where
    T: PartialEq + Clone + Send + 'static,
    F: Fn(Db, CityScope) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = soi_db::Result<T>> + Send,
{
    let (req, db, redis) = parts(ctx)?;
    let (scope, _) = req.city_scope(roles)?;
    let first = read(db.clone(), scope)
        .await
        .map_err(|e| db_error(e, req.request_id()))?;
    let signals = signals(redis.as_ref(), Scope::City(scope.city().as_uuid()));
    Ok(live(signals, first, move || read(db.clone(), scope)))
}
