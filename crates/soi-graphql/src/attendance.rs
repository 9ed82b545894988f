//! Attendance: a coach records a whole session at once, for their own groups
//! only (the database refuses other groups with FORBIDDEN); rates per
//! participant of a group.

use crate::support::{bad_input, in_city, mirror_enum, parse_id};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use soi_core::program::AttendanceMark;
use soi_core::{GroupId, ParticipantId, Role, SessionId};
use soi_db::sessions;
use soi_db::{attendance, groups};

mirror_enum! {
    /// One participant's attendance at one session.
    Mark <=> AttendanceMark {
        /// Came on time.
        Present,
        /// Came late (counts as attended).
        Late,
        /// Missed with a reason.
        Excused,
        /// Missed.
        Absent,
    }
}

/// One participant's mark.
#[derive(InputObject)]
pub struct MarkInput {
    /// The participant.
    pub participant_id: ID,
    /// Their attendance.
    pub mark: Mark,
}

/// A participant's mark at a session.
#[derive(SimpleObject)]
pub struct SessionMark {
    /// The participant's id.
    pub participant_id: ID,
    /// Their attendance.
    pub mark: Mark,
}

/// Attended (present or late) out of marked sessions.
#[derive(SimpleObject)]
pub struct AttendanceRate {
    /// The participant's id.
    pub participant_id: ID,
    /// Sessions attended.
    pub attended: i64,
    /// Sessions marked.
    pub marked: i64,
    /// attended / marked, 0 when nothing was marked.
    pub rate: f64,
}

const STAFF: &[Role] = &[Role::ChapterAdmin, Role::Coach];

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
        let roles = &[Role::ChapterAdmin, Role::Coach, Role::Participant];
        let marks = in_city!(ctx, roles, |tx, _| attendance::of_session(&mut tx, session)
            .await?)?;
        Ok(marks
            .into_iter()
            .map(|(p, m)| SessionMark {
                participant_id: ID(p.to_string()),
                mark: m.into(),
            })
            .collect())
    }

    /// Attendance rate of each participant of a group over its held sessions.
    async fn attendance_rates(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
    ) -> Result<Vec<AttendanceRate>> {
        let group: GroupId = parse_id("groupId", &group_id)?;
        let rates = in_city!(ctx, STAFF, |tx, _| attendance::rates_for_group(
            &mut tx, group
        )
        .await?)?;
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
        let stored = in_city!(ctx, STAFF, |tx, who| {
            let s = sessions::get(&mut tx, session).await?;
            if s.status == soi_core::program::SessionStatus::Cancelled {
                return Err(soi_db::Error::Conflict("the session was cancelled".into()));
            }
            let members = groups::members(&mut tx, s.group_id).await?;
            if parsed.iter().any(|(p, _)| !members.contains(p)) {
                return Err(soi_core::InputError::new(
                    "participantId",
                    "is not in this session's group",
                )
                .into());
            }
            attendance::record_session(&mut tx, session, who.coach(), &parsed).await?;
            attendance::of_session(&mut tx, session).await?
        })?;
        Ok(stored
            .into_iter()
            .map(|(p, m)| SessionMark {
                participant_id: ID(p.to_string()),
                mark: m.into(),
            })
            .collect())
    }
}
