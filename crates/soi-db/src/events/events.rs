//! Events (`events`): a season's ice show or competition. Every query runs
//! inside a [`TenantTx`] and names `city_id = $1` on each city table.
//!
//! Rules kept here, before any write: the hold is 1–1440 minutes; the rink
//! and the cause must be the city's (foreign keys: `NOT_FOUND`). The rules
//! that read other tables (the season's window, publishing needs a ticket
//! type, the order of status moves) are `soi_service::events`'.

use crate::{Error, Result, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::states::{EventKind, EventStatus};
use soi_core::{CauseId, CityZone, EventId, InputError, RinkId, SeasonId};
use sqlx::postgres::PgRow;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub id: EventId,
    pub season_id: SeasonId,
    pub kind: EventKind,
    pub title: String,
    pub motto: Option<String>,
    pub social_theme: String,
    pub rink_id: RinkId,
    pub starts_at: DateTime<Utc>,
    pub status: EventStatus,
    pub hold_minutes: i32,
    pub cause_id: Option<CauseId>,
}

/// The stored row; `cause_id` is optional, which `try_from` cannot express.
#[derive(sqlx::FromRow)]
struct EventRow {
    #[sqlx(try_from = "Uuid")]
    id: EventId,
    #[sqlx(try_from = "Uuid")]
    season_id: SeasonId,
    #[sqlx(try_from = "String")]
    kind: EventKind,
    title: String,
    motto: Option<String>,
    social_theme: String,
    #[sqlx(try_from = "Uuid")]
    rink_id: RinkId,
    starts_at: DateTime<Utc>,
    #[sqlx(try_from = "String")]
    status: EventStatus,
    hold_minutes: i32,
    cause_id: Option<Uuid>,
}

impl<'r> sqlx::FromRow<'r, PgRow> for Event {
    fn from_row(row: &'r PgRow) -> std::result::Result<Self, sqlx::Error> {
        let r = EventRow::from_row(row)?;
        Ok(Event {
            id: r.id,
            season_id: r.season_id,
            kind: r.kind,
            title: r.title,
            motto: r.motto,
            social_theme: r.social_theme,
            rink_id: r.rink_id,
            starts_at: r.starts_at,
            status: r.status,
            hold_minutes: r.hold_minutes,
            cause_id: r.cause_id.map(CauseId::from),
        })
    }
}

/// A new event; text is expected validated (`soi_core::text::bounded`).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub season_id: SeasonId,
    pub kind: EventKind,
    pub title: String,
    pub motto: Option<String>,
    pub social_theme: String,
    pub rink_id: RinkId,
    pub starts_at: DateTime<Utc>,
    pub hold_minutes: i32,
    pub cause_id: Option<CauseId>,
}

/// The fields that may change while the event is a draft or published.
#[derive(Debug, Clone)]
pub struct EventEdit {
    pub title: String,
    pub motto: Option<String>,
    pub social_theme: String,
    pub rink_id: RinkId,
    pub starts_at: DateTime<Utc>,
    pub hold_minutes: i32,
    pub cause_id: Option<CauseId>,
}

/// Columns of [`Event`], for this crate's queries (prefix-free).
const COLUMNS: &str = "id, season_id, kind, title, motto, social_theme, rink_id, starts_at, status, hold_minutes, cause_id";

/// A hold of 1 to 1440 minutes.
pub fn check_hold(minutes: i32) -> Result<()> {
    if (1..=1440).contains(&minutes) {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "holdMinutes",
            "must be between 1 and 1440",
        )))
    }
}

/// A new draft event. The season's window is the caller's rule
/// (`soi_service::events::create`).
pub async fn insert(tx: &mut TenantTx, id: EventId, e: &NewEvent) -> Result<Event> {
    check_hold(e.hold_minutes)?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into events (city_id, id, season_id, kind, title, motto, social_theme, rink_id, starts_at, hold_minutes, cause_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(e.season_id.as_uuid())
        .bind(e.kind.code())
        .bind(&e.title)
        .bind(&e.motto)
        .bind(&e.social_theme)
        .bind(e.rink_id.as_uuid())
        .bind(e.starts_at)
        .bind(e.hold_minutes)
        .bind(e.cause_id.map(|c| c.as_uuid()))
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: EventId) -> Result<Event> {
    fetch(tx, id, "").await
}

/// The event, locked until the transaction ends (status changes and
/// reservations that depend on the status run one after another).
pub async fn lock(tx: &mut TenantTx, id: EventId) -> Result<Event> {
    fetch(tx, id, " for update").await
}

/// One event, read plainly or with a row lock (`suffix`, a fixed clause).
async fn fetch(tx: &mut TenantTx, id: EventId, suffix: &'static str) -> Result<Event> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from events where city_id = $1 and id = $2{suffix}");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("event"))
}

/// The event, locked, if it may still change (draft or published); a done
/// event is a `CONFLICT`. Changes to its numbers, partners and tickets start
/// here, so they serialize with status changes.
pub async fn lock_editable(tx: &mut TenantTx, id: EventId) -> Result<Event> {
    let e = lock(tx, id).await?;
    if e.status.editable() {
        Ok(e)
    } else {
        Err(Error::Conflict(format!(
            "the event is {}; it can no longer change",
            e.status
        )))
    }
}

/// Writes the event's status; the moves allowed, and what publishing needs,
/// are the caller's rules (`soi_service::events::set_status`), under
/// [`lock`].
pub async fn write_status(tx: &mut TenantTx, id: EventId, next: EventStatus) -> Result<Event> {
    let (city, conn) = tx.parts();
    let sql =
        format!("update events set status = $3 where city_id = $1 and id = $2 returning {COLUMNS}");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(next.code())
        .fetch_one(conn)
        .await?)
}

/// Replaces the editable fields. That the event is still editable and the
/// start in its season are the caller's rules (`soi_service::events::update`).
pub async fn update(tx: &mut TenantTx, id: EventId, e: &EventEdit) -> Result<Event> {
    check_hold(e.hold_minutes)?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "update events set title = $3, motto = $4, social_theme = $5, rink_id = $6, starts_at = $7, \
         hold_minutes = $8, cause_id = $9 where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(&e.title)
        .bind(&e.motto)
        .bind(&e.social_theme)
        .bind(e.rink_id.as_uuid())
        .bind(e.starts_at)
        .bind(e.hold_minutes)
        .bind(e.cause_id.map(|c| c.as_uuid()))
        .fetch_one(conn)
        .await?)
}

/// The city's events in time order, of one season or of all.
pub async fn list(tx: &mut TenantTx, season: Option<SeasonId>) -> Result<Vec<Event>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from events where city_id = $1 and ($2::uuid is null or season_id = $2) \
         order by starts_at, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(season.map(|s| s.as_uuid()))
        .fetch_all(conn)
        .await?)
}

/// Published events that have not long begun (up to a day ago), in time
/// order: the public listing (with seats: `soi_service::events::published_with_remaining`).
pub async fn published(tx: &mut TenantTx) -> Result<Vec<Event>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from events where city_id = $1 and status = 'published' \
         and starts_at > now() - interval '1 day' order by starts_at, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .fetch_all(conn)
        .await?)
}

/// The time zone of the transaction's city, to show event times in.
pub async fn city_zone(tx: &mut TenantTx) -> Result<CityZone> {
    let (city, conn) = tx.parts();
    let name: String = sqlx::query_scalar("select time_zone from cities where id = $1")
        .bind(city)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("city"))?;
    Ok(CityZone::parse(&name)?)
}
