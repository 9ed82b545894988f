//! An event's numbers (`performances`) in running order (1, 2, …, no gaps).
//! Every query runs inside a [`TenantTx`] and names `city_id = $1`. Callers
//! of the writes lock the event first (`soi_service::events`), so two admins
//! editing one programme run one after another.

use crate::TenantTx;
use crate::{Error, Result};
use soi_core::{EventId, InputError, PerformanceId};
use std::collections::HashSet;
use uuid::Uuid;

/// The most numbers one event may hold (the column's check).
pub const MAX_PER_EVENT: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Performance {
    #[sqlx(try_from = "Uuid")]
    pub id: PerformanceId,
    #[sqlx(try_from = "Uuid")]
    pub event_id: EventId,
    pub running_order: i32,
    pub title: String,
    pub social_issue: String,
    pub music: Option<String>,
}

/// A number's own fields; text is expected validated.
#[derive(Debug, Clone)]
pub struct NewPerformance {
    pub title: String,
    pub social_issue: String,
    pub music: Option<String>,
}

const COLUMNS: &str = "id, event_id, running_order, title, social_issue, music";

/// Adds a number at the end of the running order.
pub async fn insert(
    tx: &mut TenantTx,
    id: PerformanceId,
    event: EventId,
    p: &NewPerformance,
) -> Result<Performance> {
    let (city, conn) = tx.parts();
    let last: Option<i32> = sqlx::query_scalar(
        "select max(running_order) from performances where city_id = $1 and event_id = $2",
    )
    .bind(city)
    .bind(event.as_uuid())
    .fetch_one(&mut *conn)
    .await?;
    let next = last.unwrap_or(0) + 1;
    if next as usize > MAX_PER_EVENT {
        return Err(Error::Conflict(format!(
            "an event holds at most {MAX_PER_EVENT} numbers"
        )));
    }
    let sql = format!(
        "insert into performances (city_id, id, event_id, running_order, title, social_issue, music) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(event.as_uuid())
        .bind(next)
        .bind(&p.title)
        .bind(&p.social_issue)
        .bind(&p.music)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: PerformanceId) -> Result<Performance> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from performances where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("performance"))
}

/// Replaces a number's title, social issue and music.
pub async fn update(
    tx: &mut TenantTx,
    id: PerformanceId,
    p: &NewPerformance,
) -> Result<Performance> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update performances set title = $3, social_issue = $4, music = $5 \
         where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(&p.title)
        .bind(&p.social_issue)
        .bind(&p.music)
        .fetch_one(conn)
        .await?)
}

/// Removes a number (its performers and marks go with it) and closes the
/// gap in the running order.
pub async fn delete(tx: &mut TenantTx, p: &Performance) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query("delete from performances where city_id = $1 and id = $2")
        .bind(city)
        .bind(p.id.as_uuid())
        .execute(&mut *conn)
        .await?;
    // The unique order is checked at the end of the statement (deferrable).
    sqlx::query(
        "update performances set running_order = running_order - 1 \
         where city_id = $1 and event_id = $2 and running_order > $3",
    )
    .bind(city)
    .bind(p.event_id.as_uuid())
    .bind(p.running_order)
    .execute(conn)
    .await?;
    Ok(())
}

/// An event's numbers in running order.
pub async fn list(tx: &mut TenantTx, event: EventId) -> Result<Vec<Performance>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from performances where city_id = $1 and event_id = $2 order by running_order"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(event.as_uuid())
        .fetch_all(conn)
        .await?)
}

/// The numbers of several events at once (one statement), by event, each
/// event's in running order as [`list`] gives them.
pub async fn of_events(tx: &mut TenantTx, events: &[EventId]) -> Result<Vec<Performance>> {
    let ids: Vec<Uuid> = events.iter().map(EventId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from performances where city_id = $1 and event_id = any($2) \
         order by event_id, running_order"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// Puts the event's numbers in the given order. `order` must hold each of
/// the event's numbers exactly once (`BAD_USER_INPUT` on `performanceIds`
/// otherwise). Returns the numbers in their new order.
pub async fn reorder(
    tx: &mut TenantTx,
    event: EventId,
    order: &[PerformanceId],
) -> Result<Vec<Performance>> {
    let current: HashSet<PerformanceId> = list(tx, event).await?.iter().map(|p| p.id).collect();
    let given: HashSet<PerformanceId> = order.iter().copied().collect();
    if given.len() != order.len() || given != current {
        return Err(Error::Invalid(InputError::new(
            "performanceIds",
            format!(
                "must list each of the event's {} performances exactly once",
                current.len()
            ),
        )));
    }
    let ids: Vec<Uuid> = order.iter().map(PerformanceId::as_uuid).collect();
    let (city, conn) = tx.parts();
    // Positions swap inside one statement; check uniqueness at commit.
    sqlx::query("set constraints performances_city_id_event_id_running_order_key deferred")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "update performances p set running_order = u.ord \
         from unnest($3::uuid[]) with ordinality as u (id, ord) \
         where p.city_id = $1 and p.event_id = $2 and p.id = u.id",
    )
    .bind(city)
    .bind(event.as_uuid())
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query("set constraints performances_city_id_event_id_running_order_key immediate")
        .execute(conn)
        .await?;
    list(tx, event).await
}
