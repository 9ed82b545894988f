//! Recording attendance: a coach records a whole session at once, for their
//! own groups only (the database refuses other groups with FORBIDDEN).

use super::inputs::MarkInput;
use super::nodes::SessionMark;
use crate::plumbing::{bad_input, in_city, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use soi_core::states::AttendanceMark;
use soi_core::{ParticipantId, SessionId};
use soi_db::program::{attendance, group_members, sessions};

#[derive(Default)]
pub struct AttendanceMutation;

#[Object]
impl AttendanceMutation {
    /// Records (or corrects) the marks of a whole session at once. Coaches may
    /// do it for their own groups only; a cancelled session takes no marks.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        marks: Vec<MarkInput>,
    ) -> Result<Vec<SessionMark>> {
        let session: SessionId = parse_id("sessionId", &session_id)?;
        if marks.is_empty() || marks.len() > 200 {
            return Err(bad_input("marks", "give between 1 and 200 marks"));
        }
        let mut parsed = Vec::with_capacity(marks.len());
        for m in &marks {
            let p: ParticipantId = parse_id("participantId", &m.participant_id)?;
            if parsed.iter().any(|(q, _)| *q == p) {
                return Err(bad_input("marks", "a participant is marked twice"));
            }
            parsed.push((p, AttendanceMark::from(m.mark)));
        }
        let stored = in_city(ctx, STAFF, async |tx, who| {
            let s = sessions::get(tx, session).await?;
            if s.status == soi_core::states::SessionStatus::Cancelled {
                return Err(soi_db::Error::Conflict("the session was cancelled".into()));
            }
            let members = group_members::members(tx, s.group_id).await?;
            if parsed.iter().any(|(p, _)| !members.contains(p)) {
                return Err(soi_core::InputError::new(
                    "participantId",
                    "is not in this session's group",
                )
                .into());
            }
            attendance::record_session(tx, session, who.coach(), &parsed).await?;
            attendance::of_session(tx, session).await
        })
        .await?;
        Ok(SessionMark::list(stored))
    }
}
