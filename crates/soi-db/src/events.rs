//! Events: a season's ice show or competition. Every query runs inside a
//! [`TenantTx`] and names `city_id = $1` on each city table.
//!
//! Rules kept here, before any write:
//! - `starts_at` falls on a day from one day before the season starts to
//!   [`DAYS_AFTER_SEASON`] days after it ends (UTC day; the day of slack on
//!   each side covers the city's offset, the tail lets the finale follow the
//!   last training);
//! - the status moves draft → published → done only, and publishing needs at
//!   least one ticket type;
//! - the rink and the cause must be the city's (foreign keys: `NOT_FOUND`).

use crate::error::{Error, Result};
use crate::{TenantTx, seasons};
use chrono::{DateTime, Days, Utc};
use soi_core::program::{EventKind, EventStatus};
use soi_core::{CauseId, CityZone, EventId, InputError, RinkId, SeasonId};
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// How long after the season's last day its event may still take place.
pub const DAYS_AFTER_SEASON: u64 = 14;

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
pub(crate) const COLUMNS: &str = "id, season_id, kind, title, motto, social_theme, rink_id, starts_at, status, hold_minutes, cause_id";

/// Refuses a start outside the season's window (see the module docs).
async fn check_in_season(
    tx: &mut TenantTx,
    season: SeasonId,
    starts_at: DateTime<Utc>,
) -> Result<()> {
    let s = seasons::get(tx, season).await?;
    let day = starts_at.date_naive();
    let first = s.starts_on.checked_sub_days(Days::new(1));
    let last = s.ends_on.checked_add_days(Days::new(DAYS_AFTER_SEASON));
    let inside = first.is_none_or(|f| day >= f) && last.is_none_or(|l| day <= l);
    if inside {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "startsAt",
            format!(
                "must fall within the season ({} to {}, or up to {DAYS_AFTER_SEASON} days after)",
                s.starts_on, s.ends_on
            ),
        )))
    }
}

fn check_hold(minutes: i32) -> Result<()> {
    if (1..=1440).contains(&minutes) {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "holdMinutes",
            "must be between 1 and 1440",
        )))
    }
}

pub async fn insert(tx: &mut TenantTx, id: EventId, e: &NewEvent) -> Result<Event> {
    check_hold(e.hold_minutes)?;
    check_in_season(tx, e.season_id, e.starts_at).await?;
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
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from events where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("event"))
}

/// The event, locked until the transaction ends (status changes and
/// reservations that depend on the status run one after another).
pub async fn lock(tx: &mut TenantTx, id: EventId) -> Result<Event> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from events where city_id = $1 and id = $2 for update");
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
pub(crate) async fn lock_editable(tx: &mut TenantTx, id: EventId) -> Result<Event> {
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

/// Moves the event one step forward (draft → published → done); publishing
/// needs a ticket type. Any other move is a `CONFLICT`.
pub async fn set_status(tx: &mut TenantTx, id: EventId, next: EventStatus) -> Result<Event> {
    let current = lock(tx, id).await?;
    if !current.status.can_move_to(next) {
        return Err(Error::Conflict(format!(
            "a {} event cannot become {next}",
            current.status
        )));
    }
    if next == EventStatus::Published && crate::ticket_types::count_for_event(tx, id).await? == 0 {
        return Err(Error::Conflict(
            "add at least one ticket type before publishing".into(),
        ));
    }
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

/// Replaces the editable fields while the event is a draft or published.
pub async fn update(tx: &mut TenantTx, id: EventId, e: &EventEdit) -> Result<Event> {
    check_hold(e.hold_minutes)?;
    let current = lock_editable(tx, id).await?;
    check_in_season(tx, current.season_id, e.starts_at).await?;
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
/// order, each with its ticket types and the seats left: the public listing.
pub async fn published_with_remaining(
    tx: &mut TenantTx,
) -> Result<Vec<(Event, Vec<crate::ticket_types::Seats>)>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from events where city_id = $1 and status = 'published' \
         and starts_at > now() - interval '1 day' order by starts_at, id"
    );
    let events: Vec<Event> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .fetch_all(conn)
        .await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let mut seats = crate::ticket_types::with_remaining_many(tx, &ids).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let mine = seats.remove(&e.id).unwrap_or_default();
            (e, mine)
        })
        .collect())
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
