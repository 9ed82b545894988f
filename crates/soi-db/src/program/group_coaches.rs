//! Who coaches each training group (`group_coaches`). Every query runs
//! inside a [`TenantTx`] and names `city_id = $1` on each city table.

use crate::{Result, TenantTx};
use soi_core::{CoachId, GroupId, ParticipantId};

pub async fn add_coach(tx: &mut TenantTx, group: GroupId, coach: CoachId) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query("insert into group_coaches (city_id, group_id, coach_id) values ($1, $2, $3) on conflict do nothing")
        .bind(city)
        .bind(group.as_uuid())
        .bind(coach.as_uuid())
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the coach trains a group the participant is in.
pub async fn coach_trains(
    tx: &mut TenantTx,
    coach: CoachId,
    participant: ParticipantId,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select exists (select 1 from group_members m \
           join group_coaches gc on gc.city_id = m.city_id and gc.group_id = m.group_id \
           where m.city_id = $1 and gc.city_id = $1 and m.participant_id = $2 and gc.coach_id = $3)",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .bind(coach.as_uuid())
    .fetch_one(conn)
    .await?)
}
