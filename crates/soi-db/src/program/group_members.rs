//! Who is in each training group (`group_members`). Every query runs inside
//! a [`TenantTx`] and names `city_id = $1`.

use crate::{Result, TenantTx};
use soi_core::{GroupId, ParticipantId};
use uuid::Uuid;

/// Adds participants to the group; those already in it are left as they are.
pub async fn add_members(
    tx: &mut TenantTx,
    group: GroupId,
    people: &[ParticipantId],
) -> Result<u64> {
    let ids: Vec<Uuid> = people.iter().map(ParticipantId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into group_members (city_id, group_id, participant_id) \
         select $1, $2, p from unnest($3::uuid[]) as p on conflict do nothing",
    )
    .bind(city)
    .bind(group.as_uuid())
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The group's participants, in id order.
pub async fn members(tx: &mut TenantTx, group: GroupId) -> Result<Vec<ParticipantId>> {
    let (city, conn) = tx.parts();
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "select participant_id from group_members where city_id = $1 and group_id = $2 order by participant_id",
    )
    .bind(city)
    .bind(group.as_uuid())
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ParticipantId::from).collect())
}

/// Takes a participant out of every group (their attendance stays).
pub async fn remove_participant(tx: &mut TenantTx, participant: ParticipantId) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query("delete from group_members where city_id = $1 and participant_id = $2")
        .bind(city)
        .bind(participant.as_uuid())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
