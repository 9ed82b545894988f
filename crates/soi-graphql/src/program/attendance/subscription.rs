//! A training session's marks, live: for its city's admins and the coaches
//! of its group, re-read after every change signal of the city.

use super::nodes::SessionMark;
use crate::plumbing::live::watch_city;
use crate::plumbing::parse_id;
use crate::plumbing::run::tenant_tx;
use crate::shared::roles::STAFF;
use async_graphql::futures_util::stream::{Stream, StreamExt};
use async_graphql::{Context, ID, Result, Subscription};
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
        let updates = watch_city(ctx, STAFF, move |db, scope| async move {
            read_marks(&db, &scope, session).await
        })
        .await?;
        Ok(updates.map(SessionMark::list))
    }
}
