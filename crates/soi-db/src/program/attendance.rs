//! Attendance: one mark per session and participant; the largest table,
//! partitioned by city. Every query runs inside a [`TenantTx`] and names
//! `city_id = $1` on each city table it joins.

use crate::Result;
use crate::TenantTx;
use soi_core::states::AttendanceMark;
use soi_core::{CoachId, GroupId, ParticipantId, Role, SessionId};
use uuid::Uuid;

/// Attended (present or late) out of marked sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Rate {
    #[sqlx(try_from = "Uuid")]
    pub participant_id: ParticipantId,
    pub attended: i64,
    pub marked: i64,
}

impl Rate {
    /// Share attended, 0.0 when nothing was marked.
    pub fn ratio(&self) -> f64 {
        if self.marked == 0 {
            0.0
        } else {
            self.attended as f64 / self.marked as f64
        }
    }
}

/// Records (or corrects) the marks of one session at once.
pub async fn record_session(
    tx: &mut TenantTx,
    session: SessionId,
    recorded_by: Option<CoachId>,
    marks: &[(ParticipantId, AttendanceMark)],
) -> Result<u64> {
    let people: Vec<Uuid> = marks.iter().map(|(p, _)| p.as_uuid()).collect();
    let codes: Vec<&str> = marks.iter().map(|(_, m)| m.code()).collect();
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into attendance (city_id, session_id, participant_id, mark, recorded_by) \
         select $1, $2, u.participant_id, u.mark, $3 \
         from unnest($4::uuid[], $5::text[]) as u (participant_id, mark) \
         on conflict (city_id, session_id, participant_id) \
         do update set mark = excluded.mark, recorded_by = excluded.recorded_by, recorded_at = now()",
    )
    .bind(city)
    .bind(session.as_uuid())
    .bind(recorded_by.map(|c| c.as_uuid()))
    .bind(people)
    .bind(codes)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Bulk insert of marks across sessions (seeds, imports), with no recorder.
pub async fn insert_many(
    tx: &mut TenantTx,
    rows: &[(SessionId, ParticipantId, AttendanceMark)],
) -> Result<u64> {
    insert_many_by(tx, None, rows).await
}

/// Bulk insert of marks across sessions, each recorded by `recorded_by`
/// (the seed's group coach), so the coach counts as active in the rollups.
pub async fn insert_many_by(
    tx: &mut TenantTx,
    recorded_by: Option<CoachId>,
    rows: &[(SessionId, ParticipantId, AttendanceMark)],
) -> Result<u64> {
    let sessions: Vec<Uuid> = rows.iter().map(|r| r.0.as_uuid()).collect();
    let people: Vec<Uuid> = rows.iter().map(|r| r.1.as_uuid()).collect();
    let codes: Vec<&str> = rows.iter().map(|r| r.2.code()).collect();
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into attendance (city_id, session_id, participant_id, mark, recorded_by) \
         select $1, u.session_id, u.participant_id, u.mark, $5 \
         from unnest($2::uuid[], $3::uuid[], $4::text[]) as u (session_id, participant_id, mark)",
    )
    .bind(city)
    .bind(sessions)
    .bind(people)
    .bind(codes)
    .bind(recorded_by.map(|c| c.as_uuid()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Marks of one session, by participant.
pub async fn of_session(
    tx: &mut TenantTx,
    session: SessionId,
) -> Result<Vec<(ParticipantId, AttendanceMark)>> {
    let (city, conn) = tx.parts();
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "select participant_id, mark from attendance where city_id = $1 and session_id = $2 order by participant_id",
    )
    .bind(city)
    .bind(session.as_uuid())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(p, m)| Ok((ParticipantId::from(p), AttendanceMark::parse(&m)?)))
        .collect()
}

/// Attendance rate of each participant over the group's held sessions.
pub async fn rates_for_group(tx: &mut TenantTx, group: GroupId) -> Result<Vec<Rate>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select a.participant_id, \
                count(*) filter (where a.mark in ('present', 'late')) as attended, \
                count(*) as marked \
         from attendance a \
         join training_sessions s on s.city_id = a.city_id and s.id = a.session_id \
         where a.city_id = $1 and s.city_id = $1 and s.group_id = $2 and s.status = 'scheduled' \
         group by a.participant_id order by a.participant_id",
    )
    .bind(city)
    .bind(group.as_uuid())
    .fetch_all(conn)
    .await?)
}

/// Attendance rate of some participants over all their sessions (one
/// statement for a page of participants, not one per row).
pub async fn rates_of_participants(
    tx: &mut TenantTx,
    people: &[ParticipantId],
) -> Result<Vec<Rate>> {
    let ids: Vec<Uuid> = people.iter().map(ParticipantId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select a.participant_id, \
                count(*) filter (where a.mark in ('present', 'late')) as attended, \
                count(*) as marked \
         from attendance a \
         where a.city_id = $1 and a.participant_id = any($2) \
         group by a.participant_id order by a.participant_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// Attended out of marked, per group, over each group's held sessions (one
/// statement for a page of groups). Staff see every mark of their city, and
/// each session keeps its own counts (`marks_present`, `marks_total`, kept
/// by the attendance triggers), so those are summed: a few session rows
/// instead of every mark, and no partitioned table to plan. A participant's
/// marks are narrowed by row-level security to their own, which the
/// counters are not, so for them the marks themselves are counted.
pub async fn rates_of_groups(
    tx: &mut TenantTx,
    groups: &[GroupId],
) -> Result<Vec<(GroupId, i64, i64)>> {
    let ids: Vec<Uuid> = groups.iter().map(GroupId::as_uuid).collect();
    let own_marks_only = tx.scope().role() == Some(Role::Participant);
    let (city, conn) = tx.parts();
    let sql = if own_marks_only {
        "select s.group_id, count(*) filter (where a.mark in ('present', 'late')), count(*) \
         from attendance a \
         join training_sessions s on s.city_id = a.city_id and s.id = a.session_id \
         where a.city_id = $1 and s.city_id = $1 and s.group_id = any($2) and s.status = 'scheduled' \
         group by s.group_id"
    } else {
        "select group_id, sum(marks_present)::bigint, sum(marks_total)::bigint \
         from training_sessions \
         where city_id = $1 and group_id = any($2) and status = 'scheduled' and marks_total > 0 \
         group by group_id"
    };
    let rows: Vec<(Uuid, i64, i64)> = sqlx::query_as(sql)
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(g, attended, marked)| (GroupId::from(g), attended, marked))
        .collect())
}
