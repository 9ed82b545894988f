//! Scheduling, moving and cancelling sessions: chapter admins and coaches
//! (the database lets a coach do so only for the groups they coach, and
//! refuses overlaps on one rink). The group hears of each change by email,
//! committed with it.

use super::inputs::{SessionInput, check_times};
use super::nodes::SessionNode;
use crate::plumbing::{Valid, in_city, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use soi_core::{SessionId, text};
use soi_db::program::sessions;
use soi_mail::sessions as mail;

/// Longest cancel reason kept (the column's check allows as much).
const MAX_REASON: usize = 1000;

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Schedules a session; a coach only for a group they coach. The rink
    /// must be free for the whole time (`CONFLICT` otherwise).
    async fn schedule_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session.")] input: SessionInput,
    ) -> Result<SessionNode> {
        let new = input.validate()?;
        in_city(ctx, STAFF, async |tx, _| {
            let session = sessions::schedule(tx, &new).await?;
            mail::session_scheduled(tx, &session).await?;
            Ok(session)
        })
        .await
        .map(SessionNode)
    }

    /// Moves a scheduled session to a new time on the same rink.
    async fn move_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id.")] id: ID,
        #[graphql(desc = "The new start.")] starts_at: DateTime<Utc>,
        #[graphql(desc = "The new end: after `startsAt`, at most 12 hours later.")]
        ends_at: DateTime<Utc>,
    ) -> Result<SessionNode> {
        let id: SessionId = parse_id("id", &id)?;
        check_times(starts_at, ends_at)?;
        in_city(ctx, STAFF, async |tx, _| {
            let old = sessions::get(tx, id).await?;
            let session = sessions::reschedule(tx, id, starts_at, ends_at).await?;
            mail::session_moved(tx, &session, old.starts_at, old.ends_at).await?;
            Ok(session)
        })
        .await
        .map(SessionNode)
    }

    /// Cancels a scheduled session; its rink time becomes free.
    async fn cancel_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id.")] id: ID,
        #[graphql(desc = "Why, 1–1000 characters.")] reason: String,
    ) -> Result<SessionNode> {
        let id: SessionId = parse_id("id", &id)?;
        let reason = text::bounded("reason", &reason, MAX_REASON).valid()?;
        in_city(ctx, STAFF, async |tx, _| {
            let session = sessions::cancel(tx, id, &reason).await?;
            mail::session_cancelled(tx, &session).await?;
            Ok(session)
        })
        .await
        .map(SessionNode)
    }
}
