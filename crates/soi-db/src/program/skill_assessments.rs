//! Each city's skill assessments (`skill_assessments`): which participant
//! passed which element of the national catalogue, and when. Every query runs
//! inside a [`TenantTx`] and names `city_id = $1`.

use crate::{Result, TenantTx};
use chrono::NaiveDate;
use soi_core::{AssessmentId, CoachId, ParticipantId, SkillElementId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Passed {
    #[sqlx(try_from = "Uuid")]
    pub element_id: SkillElementId,
    #[sqlx(try_from = "Uuid")]
    pub coach_id: CoachId,
    pub passed_on: NaiveDate,
}

/// Records that a participant passed an element; recording it again keeps the
/// first date. Returns whether it was new.
pub async fn record_pass(
    tx: &mut TenantTx,
    id: AssessmentId,
    participant: ParticipantId,
    element: SkillElementId,
    coach: CoachId,
    passed_on: NaiveDate,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into skill_assessments (city_id, id, participant_id, element_id, coach_id, passed_on) \
         values ($1, $2, $3, $4, $5, $6) on conflict (city_id, participant_id, element_id) do nothing",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(participant.as_uuid())
    .bind(element.as_uuid())
    .bind(coach.as_uuid())
    .bind(passed_on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The elements a participant has passed, oldest first.
pub async fn progression(tx: &mut TenantTx, participant: ParticipantId) -> Result<Vec<Passed>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select element_id, coach_id, passed_on from skill_assessments \
         where city_id = $1 and participant_id = $2 order by passed_on, element_id",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .fetch_all(conn)
    .await?)
}

/// A pass to insert in bulk (seeds, imports).
#[derive(Debug, Clone)]
pub struct PassRow {
    pub id: AssessmentId,
    pub participant: ParticipantId,
    pub element: SkillElementId,
    pub coach: CoachId,
    pub passed_on: NaiveDate,
}

pub async fn insert_many(tx: &mut TenantTx, rows: &[PassRow]) -> Result<u64> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.as_uuid()).collect();
    let people: Vec<Uuid> = rows.iter().map(|r| r.participant.as_uuid()).collect();
    let elements: Vec<Uuid> = rows.iter().map(|r| r.element.as_uuid()).collect();
    let coaches: Vec<Uuid> = rows.iter().map(|r| r.coach.as_uuid()).collect();
    let dates: Vec<NaiveDate> = rows.iter().map(|r| r.passed_on).collect();
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into skill_assessments (city_id, id, participant_id, element_id, coach_id, passed_on) \
         select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::date[])",
    )
    .bind(city)
    .bind(ids)
    .bind(people)
    .bind(elements)
    .bind(coaches)
    .bind(dates)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Erases the coaches' notes about a participant (free text about a
/// person); the passes themselves stay, so no figure moves.
pub async fn erase_notes(tx: &mut TenantTx, participant: ParticipantId) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update skill_assessments set note = null \
         where city_id = $1 and participant_id = $2 and note is not null",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
