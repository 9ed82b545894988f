//! Training groups of a season (`groups`); who is in them and who coaches
//! them are [`super::group_members`] and [`super::group_coaches`]. Every
//! query runs inside a [`TenantTx`] and names `city_id = $1` on each city
//! table.

use crate::TenantTx;
use crate::{Error, Result};
use soi_core::{CoachId, GroupId, SeasonId};
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
