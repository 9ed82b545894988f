//! Training groups of a season, their participants and coaches. Every query
//! runs inside a [`TenantTx`] and names `city_id = $1` on each city table.

use crate::TenantTx;
use crate::error::{Error, Result};
use soi_core::{CoachId, GroupId, ParticipantId, SeasonId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Group {
    #[sqlx(try_from = "Uuid")]
    pub id: GroupId,
    #[sqlx(try_from = "Uuid")]
    pub season_id: SeasonId,
    pub name: String,
}

pub async fn insert(tx: &mut TenantTx, id: GroupId, season: SeasonId, name: &str) -> Result<Group> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "insert into groups (city_id, id, season_id, name) values ($1, $2, $3, $4) returning id, season_id, name",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(season.as_uuid())
    .bind(name)
    .fetch_one(conn)
    .await?)
}

pub async fn get(tx: &mut TenantTx, id: GroupId) -> Result<Group> {
    let (city, conn) = tx.parts();
    sqlx::query_as("select id, season_id, name from groups where city_id = $1 and id = $2")
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("group"))
}

pub async fn list_by_season(tx: &mut TenantTx, season: SeasonId) -> Result<Vec<Group>> {
    let (city, conn) = tx.parts();
    Ok(
        sqlx::query_as("select id, season_id, name from groups where city_id = $1 and season_id = $2 order by name")
            .bind(city)
            .bind(season.as_uuid())
            .fetch_all(conn)
            .await?,
    )
}

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

/// Groups a coach trains.
pub async fn of_coach(tx: &mut TenantTx, coach: CoachId) -> Result<Vec<Group>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select g.id, g.season_id, g.name from groups g \
         join group_coaches gc on gc.city_id = g.city_id and gc.group_id = g.id \
         where g.city_id = $1 and gc.city_id = $1 and gc.coach_id = $2 order by g.name",
    )
    .bind(city)
    .bind(coach.as_uuid())
    .fetch_all(conn)
    .await?)
}

/// Members of several groups at once, as (group, participant) pairs: one
/// statement for a page of groups.
pub async fn members_of(
    tx: &mut TenantTx,
    groups: &[GroupId],
) -> Result<Vec<(GroupId, ParticipantId)>> {
    let ids: Vec<Uuid> = groups.iter().map(GroupId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "select group_id, participant_id from group_members \
         where city_id = $1 and group_id = any($2) order by group_id, participant_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(g, p)| (GroupId::from(g), ParticipantId::from(p)))
        .collect())
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
