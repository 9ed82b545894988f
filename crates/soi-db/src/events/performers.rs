//! Who skates in each number (`performers`): participants of the city. Every query runs
//! inside a [`TenantTx`] and names `city_id = $1` on each city table.

use crate::Result;
use crate::TenantTx;
use soi_core::{ParticipantId, PerformanceId};
use uuid::Uuid;

/// A performer with the name shown to the city's staff (personal data: not
/// for public pages).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Performer {
    #[sqlx(try_from = "Uuid")]
    pub performance_id: PerformanceId,
    #[sqlx(try_from = "Uuid")]
    pub participant_id: ParticipantId,
    pub first_name: String,
    pub last_name: String,
}

/// Replaces the performers of a number (repeats are ignored; the caller has
/// locked its event, which must be editable). An unknown
/// participant is `NOT_FOUND` and leaves the old list in place (the caller's
/// transaction rolls back).
pub async fn set(
    tx: &mut TenantTx,
    performance: PerformanceId,
    people: &[ParticipantId],
) -> Result<Vec<Performer>> {
    let ids: Vec<Uuid> = people.iter().map(ParticipantId::as_uuid).collect();
    let (city, conn) = tx.parts();
    sqlx::query("delete from performers where city_id = $1 and performance_id = $2")
        .bind(city)
        .bind(performance.as_uuid())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into performers (city_id, performance_id, participant_id) \
         select distinct $1::uuid, $2::uuid, u from unnest($3::uuid[]) as u",
    )
    .bind(city)
    .bind(performance.as_uuid())
    .bind(ids)
    .execute(conn)
    .await?;
    of_performances(tx, &[performance]).await
}

/// Performers of several numbers at once, by number, then family and given
/// name.
pub async fn of_performances(
    tx: &mut TenantTx,
    performances: &[PerformanceId],
) -> Result<Vec<Performer>> {
    let ids: Vec<Uuid> = performances.iter().map(PerformanceId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select f.performance_id, f.participant_id, p.first_name, p.last_name \
         from performers f join participants p on p.city_id = $1 and p.id = f.participant_id \
         where f.city_id = $1 and f.performance_id = any($2) \
         order by f.performance_id, p.last_name, p.first_name, p.id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// How many perform in each of several numbers (for public pages, which show
/// no names). Numbers without performers are left out.
pub async fn counts_of_performances(
    tx: &mut TenantTx,
    performances: &[PerformanceId],
) -> Result<Vec<(PerformanceId, i64)>> {
    let ids: Vec<Uuid> = performances.iter().map(PerformanceId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "select performance_id, count(*) from performers \
         where city_id = $1 and performance_id = any($2) group by performance_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (PerformanceId::from(id), n))
        .collect())
}
