//! Scheduling, moving and cancelling a group's training sessions: the
//! session's row changes and its group hears of it by email, in the caller's
//! transaction (the database refuses overlaps on one rink, and lets a coach
//! touch only the groups they coach).

use chrono::{DateTime, Utc};
use soi_core::SessionId;
use soi_db::program::sessions::{self, NewSession, Session};
use soi_db::{Result, TenantTx};
use soi_mail::sessions as mail;

/// Schedules a session and tells its group.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn schedule(tx: &mut TenantTx, new: &NewSession) -> Result<Session> {
    let session = sessions::schedule(tx, new).await?;
    mail::session_scheduled(tx, &session).await?;
    Ok(session)
}

/// Moves a scheduled session to a new time on the same rink; the email
/// names the old time and the new.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn reschedule(
    tx: &mut TenantTx,
    id: SessionId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<Session> {
    let old = sessions::get(tx, id).await?;
    let session = sessions::reschedule(tx, id, starts_at, ends_at).await?;
    mail::session_moved(tx, &session, old.starts_at, old.ends_at).await?;
    Ok(session)
}

/// Cancels a scheduled session (its rink time becomes free) and tells its
/// group why.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn cancel(tx: &mut TenantTx, id: SessionId, reason: &str) -> Result<Session> {
    let session = sessions::cancel(tx, id, reason).await?;
    mail::session_cancelled(tx, &session).await?;
    Ok(session)
}
