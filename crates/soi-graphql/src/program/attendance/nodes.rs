//! Attendance marks and rates as staff (and participants, their own) see them.

use crate::plumbing::mirror_enum;
use async_graphql::{ID, SimpleObject};
use soi_core::ParticipantId;
use soi_core::states::AttendanceMark;

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

/// A participant's mark at a session.
#[derive(SimpleObject)]
pub struct SessionMark {
    /// The participant's id.
    pub participant_id: ID,
    /// Their attendance.
    pub mark: Mark,
}

impl SessionMark {
    /// A session's marks as read from the db layer.
    pub fn list(marks: Vec<(ParticipantId, AttendanceMark)>) -> Vec<Self> {
        marks
            .into_iter()
            .map(|(p, m)| SessionMark {
                participant_id: ID(p.to_string()),
                mark: m.into(),
            })
            .collect()
    }
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
