//! Reading attendance: a session's marks (participants see only their own)
//! and the rates of a group's participants (staff).

use super::nodes::{AttendanceRate, SessionMark};
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::{CITY_USERS, STAFF};
use async_graphql::{Context, ID, Object, Result};
use soi_core::{GroupId, SessionId};
use soi_db::program::attendance;

#[derive(Default)]
pub struct AttendanceQuery;

#[Object]
impl AttendanceQuery {
    /// The marks of one session (participants see only their own).
    async fn session_attendance(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
    ) -> Result<Vec<SessionMark>> {
        let session: SessionId = parse_id("sessionId", &session_id)?;
        let marks = in_city(ctx, CITY_USERS, async |tx, _| {
            attendance::of_session(tx, session).await
        })
        .await?;
        Ok(SessionMark::list(marks))
    }

    /// Attendance rate of each participant of a group over its held sessions.
    async fn attendance_rates(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
    ) -> Result<Vec<AttendanceRate>> {
        let group: GroupId = parse_id("groupId", &group_id)?;
        let rates = in_city(ctx, STAFF, async |tx, _| {
            attendance::rates_for_group(tx, group).await
        })
        .await?;
        Ok(rates
            .into_iter()
            .map(|r| AttendanceRate {
                participant_id: ID(r.participant_id.to_string()),
                attended: r.attended,
                marked: r.marked,
                rate: r.ratio(),
            })
            .collect())
    }
}
