//! Live updates (GraphQL subscriptions over `graphql-ws`): an event's ticket
//! sales, the marks of a training session, the national totals. Every
//! committed mutation publishes a content-free "changed" signal on Redis to
//! its city's channel and the national one; a subscriber re-reads what it
//! watches in its own tenant (or national report) transaction and sends it
//! when it differs. So a change made through one gateway process reaches
//! subscribers on every other, a signal carries no data to leak, and a
//! subscriber's channel is its own city's, from its token. Without Redis (or
//! while it is down) subscribers re-read every few seconds instead.

use crate::attendance::SessionMark;
use crate::reports::ReportFigures;
use crate::support::parse_id;
use crate::tickets::EventSales;
use crate::{RequestCtx, db_error};
use async_graphql::futures_util::stream::{self, BoxStream, Stream, StreamExt};
use async_graphql::{Context, ID, Result, Subscription};
use soi_cache::{Channel, Redis, Scope};
use soi_core::report::{Grouping, Shown};
use soi_core::{CityId, CityScope, EventId, Role, SessionId};
use soi_db::reports::ReportQuery;
use soi_db::{Db, attendance, events, reports, sales, sessions};
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

fn signals(redis: Option<&Redis>, scope: Scope) -> BoxStream<'static, ()> {
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
fn live<T, F, Fut>(signals: BoxStream<'static, ()>, first: T, read: F) -> impl Stream<Item = T>
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

async fn read_sales(
    db: &Db,
    scope: &CityScope,
    event: EventId,
) -> soi_db::Result<Vec<sales::TypeSales>> {
    let mut tx = db.tenant(scope).await?;
    events::get(&mut tx, event).await?;
    let rows = sales::for_event(&mut tx, event).await?;
    tx.commit().await?;
    Ok(rows)
}

async fn read_marks(
    db: &Db,
    scope: &CityScope,
    session: SessionId,
) -> soi_db::Result<Vec<(soi_core::ParticipantId, soi_core::program::AttendanceMark)>> {
    let mut tx = db.tenant(scope).await?;
    sessions::get(&mut tx, session).await?;
    let marks = attendance::of_session(&mut tx, session).await?;
    tx.commit().await?;
    Ok(marks)
}

async fn read_totals(db: &Db, q: ReportQuery) -> soi_db::Result<soi_core::report::Figures> {
    let mut tx = db.report().await?;
    let rows = reports::national(&mut tx, &q).await?;
    tx.finish().await?;
    Ok(rows.first().map(|r| r.figures).unwrap_or_default())
}

fn parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a RequestCtx, Db, Option<Redis>)> {
    Ok((
        ctx.data::<RequestCtx>()?,
        ctx.data::<Db>()?.clone(),
        ctx.data_opt::<Option<Redis>>().cloned().flatten(),
    ))
}

/// Live updates; sign in when the connection starts (`connection_init`
/// payload `{"Authorization": "Bearer <token>"}`).
#[derive(Default)]
pub struct SubscriptionRoot;

/// Live updates over WebSocket at `/graphql/ws`. Sign in when the connection
/// starts, with the access token in the `connection_init` payload.
#[Subscription]
impl SubscriptionRoot {
    /// An event's sales, for chapter admins of its city. The figures now,
    /// then again whenever a sale, hold, refund or scan changes them.
    async fn ticket_sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] event_id: ID,
    ) -> Result<impl Stream<Item = EventSales>> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let (req, db, redis) = parts(ctx)?;
        let (scope, _) = req.city_scope(&[Role::ChapterAdmin])?;
        let first = read_sales(&db, &scope, event)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        let signals = signals(redis.as_ref(), Scope::City(scope.city().as_uuid()));
        let updates = live(signals, first, move || {
            let db = db.clone();
            async move { read_sales(&db, &scope, event).await }
        });
        Ok(updates.map(move |rows| EventSales::of(event_id.clone(), rows)))
    }

    /// The marks of a training session, for its city's admins and the
    /// coaches of its group. The marks now, then again whenever they change.
    async fn attendance_recorded(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The training session.")] session_id: ID,
    ) -> Result<impl Stream<Item = Vec<SessionMark>>> {
        let session: SessionId = parse_id("sessionId", &session_id)?;
        let (req, db, redis) = parts(ctx)?;
        let (scope, _) = req.city_scope(&[Role::ChapterAdmin, Role::Coach])?;
        let first = read_marks(&db, &scope, session)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        let signals = signals(redis.as_ref(), Scope::City(scope.city().as_uuid()));
        let updates = live(signals, first, move || {
            let db = db.clone();
            async move { read_marks(&db, &scope, session).await }
        });
        Ok(updates.map(|marks| {
            marks
                .into_iter()
                .map(|(p, m)| SessionMark {
                    participant_id: ID(p.to_string()),
                    mark: m.into(),
                })
                .collect()
        }))
    }

    /// Every city's totals for the months `from`–`to` (national role), with
    /// small groups suppressed. Sent now, then again as the figures change.
    async fn national_totals(
        &self,
        ctx: &Context<'_>,
        from: crate::reports::Month,
        to: crate::reports::Month,
    ) -> Result<impl Stream<Item = ReportFigures>> {
        let period = crate::reports::period(from, to)?;
        let (req, db, redis) = parts(ctx)?;
        req.require(&[Role::National])?;
        let q = ReportQuery {
            from: period.from.first_day(),
            to: period.to.first_day(),
            by: None::<Grouping>,
        };
        let first = read_totals(&db, q)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        let signals = signals(redis.as_ref(), Scope::National);
        let updates = live(signals, first, move || {
            let db = db.clone();
            async move { read_totals(&db, q).await }
        });
        Ok(updates.map(|f| ReportFigures::from(&Shown::guarded(&f))))
    }
}
