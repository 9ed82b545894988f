//! A training session's marks, live: for its city's admins and the coaches
//! of its group, re-read after every change signal of the city.

use super::nodes::SessionMark;
use crate::plumbing::live::{live, parts, signals};
use crate::plumbing::run::tenant_tx;
use crate::plumbing::{error::db_error, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::futures_util::stream::{Stream, StreamExt};
use async_graphql::{Context, ID, Result, Subscription};
use soi_cache::Scope;
use soi_core::states::AttendanceMark;
use soi_core::{CityScope, ParticipantId, SessionId};
use soi_db::Db;
use soi_db::program::{attendance, sessions};

async fn read_marks(
    db: &Db,
    scope: &CityScope,
    session: SessionId,
) -> soi_db::Result<Vec<(ParticipantId, AttendanceMark)>> {
    tenant_tx(db, scope, async |tx| {
        sessions::get(tx, session).await?;
        attendance::of_session(tx, session).await
    })
    .await
}

#[derive(Default)]
pub struct AttendanceSubscription;

#[Subscription]
impl AttendanceSubscription {
    /// The marks of a training session, for its city's admins and the
    /// coaches of its group. The marks now, then again whenever they change.
    async fn attendance_recorded(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The training session.")] session_id: ID,
    ) -> Result<impl Stream<Item = Vec<SessionMark>>> {
        let session: SessionId = parse_id("sessionId", &session_id)?;
        let (req, db, redis) = parts(ctx)?;
        let (scope, _) = req.city_scope(STAFF)?;
        let first = read_marks(&db, &scope, session)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        let signals = signals(redis.as_ref(), Scope::City(scope.city().as_uuid()));
        let updates = live(signals, first, move || {
            let db = db.clone();
            async move { read_marks(&db, &scope, session).await }
        });
        Ok(updates.map(SessionMark::list))
    }
}
