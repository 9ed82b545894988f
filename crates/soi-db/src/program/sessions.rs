//! Training sessions: a group on a rink for a time. Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`. Overlaps on one rink are refused by
//! an exclusion constraint, so they hold under concurrency.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::states::SessionStatus;
use soi_core::{GroupId, RinkId, SessionId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    #[sqlx(try_from = "Uuid")]
    pub id: SessionId,
    #[sqlx(try_from = "Uuid")]
    pub group_id: GroupId,
    #[sqlx(try_from = "Uuid")]
    pub rink_id: RinkId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[sqlx(try_from = "String")]
    pub status: SessionStatus,
    pub cancel_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub group: GroupId,
    pub rink: RinkId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, group_id, rink_id, starts_at, ends_at, status, cancel_reason";

pub async fn schedule(tx: &mut TenantTx, new: &NewSession) -> Result<Session> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into training_sessions (city_id, id, group_id, rink_id, starts_at, ends_at) \
         values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(new.id.as_uuid())
        .bind(new.group.as_uuid())
        .bind(new.rink.as_uuid())
        .bind(new.starts_at)
        .bind(new.ends_at)
        .fetch_one(conn)
        .await?)
}

pub async fn insert_many(tx: &mut TenantTx, rows: &[NewSession]) -> Result<u64> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.as_uuid()).collect();
    let groups: Vec<Uuid> = rows.iter().map(|r| r.group.as_uuid()).collect();
    let rinks: Vec<Uuid> = rows.iter().map(|r| r.rink.as_uuid()).collect();
    let starts: Vec<DateTime<Utc>> = rows.iter().map(|r| r.starts_at).collect();
    let ends: Vec<DateTime<Utc>> = rows.iter().map(|r| r.ends_at).collect();
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into training_sessions (city_id, id, group_id, rink_id, starts_at, ends_at) \
         select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[])",
    )
    .bind(city)
    .bind(ids)
    .bind(groups)
    .bind(rinks)
    .bind(starts)
    .bind(ends)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn get(tx: &mut TenantTx, id: SessionId) -> Result<Session> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from training_sessions where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("training session"))
}

/// A group's sessions in time order, after a cursor (the previous page's last
/// start time).
pub async fn list_by_group(
    tx: &mut TenantTx,
    group: GroupId,
    page: Page<DateTime<Utc>>,
) -> Result<Vec<Session>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from training_sessions \
         where city_id = $1 and group_id = $2 and ($3::timestamptz is null or starts_at > $3) \
         order by starts_at limit $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(group.as_uuid())
        .bind(page.after)
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// The city's scheduled sessions that start at `from` or later, soonest
/// first, at most `limit` (what a chapter's dashboard shows as coming up).
pub async fn upcoming(tx: &mut TenantTx, from: DateTime<Utc>, limit: i64) -> Result<Vec<Session>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from training_sessions \
         where city_id = $1 and status = 'scheduled' and starts_at >= $2 \
         order by starts_at, id limit $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(from)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

pub async fn cancel(tx: &mut TenantTx, id: SessionId, reason: &str) -> Result<Session> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update training_sessions set status = 'cancelled', cancel_reason = $3, updated_at = now() \
         where city_id = $1 and id = $2 and status = 'scheduled' returning {COLUMNS}"
    );
    match sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(reason)
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(s) => Ok(s),
        None => Err(not_updated(tx, id).await),
    }
}

/// Moves a scheduled session to a new time; the overlap constraint applies
/// to the new time as to a new session.
pub async fn reschedule(
    tx: &mut TenantTx,
    id: SessionId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<Session> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update training_sessions set starts_at = $3, ends_at = $4, updated_at = now() \
         where city_id = $1 and id = $2 and status = 'scheduled' returning {COLUMNS}"
    );
    match sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(starts_at)
        .bind(ends_at)
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(s) => Ok(s),
        None => Err(not_updated(tx, id).await),
    }
}

/// Why an update of a scheduled session changed no row: it is missing, it is
/// cancelled, or row-level security hid it (a coach of another group may read
/// the session but not change it, and an update skips such rows silently).
async fn not_updated(tx: &mut TenantTx, id: SessionId) -> Error {
    match get(tx, id).await {
        Ok(s) if s.status == SessionStatus::Cancelled => {
            Error::Conflict("the session is already cancelled".into())
        }
        Ok(_) => Error::Forbidden,
        Err(e) => e,
    }
}

/// Scheduled sessions starting after `from` and at most at `to`, in time
/// order (the reminder scheduler's window).
pub async fn starting_between(
    tx: &mut TenantTx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Session>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from training_sessions \
         where city_id = $1 and status = 'scheduled' and starts_at > $2 and starts_at <= $3 \
         order by starts_at, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?)
}
