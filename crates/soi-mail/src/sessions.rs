//! Training-session emails to every member of the session's group, each in
//! their preferred language (times render in the city's zone): scheduled,
//! moved, cancelled, and the reminder the day before. Each is enqueued in
//! the caller's tenant transaction, one outbox row per member, with a key
//! that names the event and the member, so a repeated path sends once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use soi_core::ParticipantId;
use soi_db::mail::outbox;
use soi_db::program::sessions::Session;
use soi_db::program::{group_members, groups, participants, rinks};
use soi_db::{Result, TenantTx};

pub const SESSION_SCHEDULED: &str = "session_scheduled";
pub const SESSION_MOVED: &str = "session_moved";
pub const SESSION_CANCELLED: &str = "session_cancelled";
pub const SESSION_REMINDER: &str = "session_reminder";

/// What every session email tells; kinds add their own fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionMail {
    pub first_name: String,
    pub group_name: String,
    pub rink_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `session_moved`: when it was to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_starts_at: Option<DateTime<Utc>>,
    /// `session_cancelled`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A payload as JSON (plain structs: this cannot fail in practice).
pub(crate) fn json(payload: impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(payload)
        .map_err(|e| soi_core::InputError::new("payload", e.to_string()).into())
}

/// What a session email adds to the common part.
#[derive(Debug, Clone, Default)]
struct Extra {
    old_starts_at: Option<DateTime<Utc>>,
    reason: Option<String>,
}

/// Enqueues `kind` about `session` to each member of its group; `event`
/// names the occasion in the key (`<kind>:<session id><event>:<member>`).
/// Returns how many were added (already enqueued ones are not).
async fn to_group(
    tx: &mut TenantTx,
    kind: &str,
    session: &Session,
    event: &str,
    extra: Extra,
) -> Result<u64> {
    let group = groups::get(tx, session.group_id).await?;
    let rink = rinks::get(tx, session.rink_id).await?;
    let members: Vec<ParticipantId> = group_members::members(tx, session.group_id).await?;
    if members.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    for who in participants::by_ids(tx, &members).await? {
        let payload = json(SessionMail {
            first_name: who.first_name,
            group_name: group.name.clone(),
            rink_name: rink.name.clone(),
            starts_at: session.starts_at,
            ends_at: session.ends_at,
            old_starts_at: extra.old_starts_at,
            reason: extra.reason.clone(),
        })?;
        let key = format!("{kind}:{}{event}:{}", session.id, who.id);
        if outbox::enqueue(tx, kind, &key, &who.email, who.preferred_language, &payload).await? {
            added += 1;
        }
    }
    Ok(added)
}

/// Enqueues `session_scheduled` for a new session. Key:
/// `session_scheduled:<session id>:<participant id>`.
pub async fn session_scheduled(tx: &mut TenantTx, session: &Session) -> Result<u64> {
    to_group(tx, SESSION_SCHEDULED, session, "", Extra::default()).await
}

/// Enqueues `session_moved` for a session moved from `old_starts_at` (none
/// when its start and end did not change). Key:
/// `session_moved:<session id>:<new starts_at epoch>:<participant id>`, so
/// moving it to the same time twice sends once.
pub async fn session_moved(
    tx: &mut TenantTx,
    session: &Session,
    old_starts_at: DateTime<Utc>,
    old_ends_at: DateTime<Utc>,
) -> Result<u64> {
    if (old_starts_at, old_ends_at) == (session.starts_at, session.ends_at) {
        return Ok(0);
    }
    let event = format!(":{}", session.starts_at.timestamp());
    let extra = Extra {
        old_starts_at: Some(old_starts_at),
        reason: None,
    };
    to_group(tx, SESSION_MOVED, session, &event, extra).await
}

/// Enqueues `session_cancelled` with the reason. Key:
/// `session_cancelled:<session id>:<participant id>`.
pub async fn session_cancelled(tx: &mut TenantTx, session: &Session) -> Result<u64> {
    let extra = Extra {
        old_starts_at: None,
        reason: Some(session.cancel_reason.clone().unwrap_or_default()),
    };
    to_group(tx, SESSION_CANCELLED, session, "", extra).await
}

/// Enqueues `session_reminder` for a scheduled session. Key:
/// `session_reminder:<session id>:<starts_at epoch>:<participant id>` (a
/// moved session is reminded of again, at its new time).
pub async fn session_reminder(tx: &mut TenantTx, session: &Session) -> Result<u64> {
    let event = format!(":{}", session.starts_at.timestamp());
    to_group(tx, SESSION_REMINDER, session, &event, Extra::default()).await
}
