//! Organizations an event is made with (`event_partners`). Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::TenantTx;
use crate::{Error, Result};
use soi_core::{EventId, PartnerId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Partner {
    #[sqlx(try_from = "Uuid")]
    pub id: PartnerId,
    #[sqlx(try_from = "Uuid")]
    pub event_id: EventId,
    pub name: String,
    pub contribution: Option<String>,
    pub website: Option<String>,
}

/// A new partner; text is expected validated.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub name: String,
    pub contribution: Option<String>,
    pub website: Option<String>,
}

const COLUMNS: &str = "id, event_id, name, contribution, website";

/// Adds a partner to an event; the name is unique per event. The event must
/// be editable: the caller locks it first (`soi_service::events`).
pub async fn insert(
    tx: &mut TenantTx,
    id: PartnerId,
    event: EventId,
    p: &NewPartner,
) -> Result<Partner> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into event_partners (city_id, id, event_id, name, contribution, website) \
         values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(event.as_uuid())
        .bind(&p.name)
        .bind(&p.contribution)
        .bind(&p.website)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: PartnerId) -> Result<Partner> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from event_partners where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("partner"))
}

/// Removes a partner (the caller has locked its event, which must be
/// editable).
pub async fn delete(tx: &mut TenantTx, id: PartnerId) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query("delete from event_partners where city_id = $1 and id = $2")
        .bind(city)
        .bind(id.as_uuid())
        .execute(conn)
        .await?;
    Ok(())
}

/// An event's partners by name.
pub async fn list(tx: &mut TenantTx, event: EventId) -> Result<Vec<Partner>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from event_partners where city_id = $1 and event_id = $2 order by name"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(event.as_uuid())
        .fetch_all(conn)
        .await?)
}

/// The partners of several events at once (one statement), by event, each
/// event's by name as [`list`] gives them.
pub async fn of_events(tx: &mut TenantTx, events: &[EventId]) -> Result<Vec<Partner>> {
    let ids: Vec<Uuid> = events.iter().map(EventId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from event_partners where city_id = $1 and event_id = any($2) \
         order by event_id, name"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}
