//! Training sessions: a group on a rink for a time. Chapter admins and coaches
//! schedule, move and cancel them; the database lets a coach do so only for
//! the groups they coach, and refuses overlaps on one rink.

use crate::seasons::READERS;
use crate::support::{
    DEFAULT_PAGE, Valid, bad_input, connection, found, in_city, mirror_enum, parse_id,
};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use soi_core::program::SessionStatus;
use soi_core::{GroupId, RinkId, Role, SessionId, text};
use soi_db::Page;
use soi_db::sessions::{self, NewSession, Session};
use soi_mail::sessions as mail;

/// Who may schedule, move and cancel (the database narrows coaches further).
const SCHEDULERS: &[Role] = &[Role::ChapterAdmin, Role::Coach];

/// Longest cancel reason kept (the column's check allows as much).
const MAX_REASON: usize = 1000;

/// Longest session.
const MAX_LENGTH: Duration = Duration::hours(12);

mirror_enum! {
    /// Whether a session takes place.
    #[graphql(name = "SessionStatus")]
    Status <=> SessionStatus {
        /// It takes place.
        Scheduled,
        /// Called off.
        Cancelled,
    }
}

pub struct SessionNode(pub Session);

/// A group's training on a rink.
#[Object(name = "TrainingSession")]
impl SessionNode {
    /// The session's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The group that trains.
    async fn group_id(&self) -> ID {
        ID(self.0.group_id.to_string())
    }
    /// The rink it takes place on.
    async fn rink_id(&self) -> ID {
        ID(self.0.rink_id.to_string())
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// When it ends.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// Whether it takes place.
    async fn status(&self) -> Status {
        self.0.status.into()
    }
    /// Why it was cancelled; null while scheduled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
}

/// A session to schedule.
#[derive(InputObject)]
pub struct SessionInput {
    /// The group that trains.
    pub group_id: ID,
    /// The rink; it must be free for the whole time.
    pub rink_id: ID,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends: after `startsAt`, at most 12 hours later.
    pub ends_at: DateTime<Utc>,
}

impl SessionInput {
    fn validate(&self) -> Result<NewSession> {
        let group = parse_id("groupId", &self.group_id)?;
        let rink: RinkId = parse_id("rinkId", &self.rink_id)?;
        check_times(self.starts_at, self.ends_at)?;
        Ok(NewSession {
            id: SessionId::new(),
            group,
            rink,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        })
    }
}

/// The rule the table's check holds too, told as a field error first.
fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<()> {
    if ends_at <= starts_at {
        return Err(bad_input("endsAt", "must be after startsAt"));
    }
    if ends_at - starts_at > MAX_LENGTH {
        return Err(bad_input(
            "endsAt",
            "must be at most 12 hours after startsAt",
        ));
    }
    Ok(())
}

/// `first` and `after` of the sessions list, whose cursor is a start time
/// (the list is paged by start time, not by id).
fn time_page(first: Option<i32>, after: Option<&str>) -> Result<(Page<DateTime<Utc>>, usize)> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    let max = Page::<DateTime<Utc>>::MAX;
    let wanted = u32::try_from(first)
        .ok()
        .filter(|f| (1..=max).contains(f))
        .ok_or_else(|| bad_input("first", format!("must be between 1 and {max}")))?;
    let after = after
        .map(|c| {
            DateTime::parse_from_rfc3339(c)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| bad_input("after", "is not a cursor of this list"))
        })
        .transpose()?;
    let page = Page {
        after,
        limit: wanted + 1,
    };
    Ok((page, wanted as usize))
}

/// A cursor that keeps the database's microseconds.
fn cursor(s: &Session) -> String {
    s.starts_at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Default)]
pub struct SessionQuery;

#[Object]
impl SessionQuery {
    /// A group's sessions in time order; empty for a group of another city.
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's id.")] group_id: ID,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the previous page's last session.")] after: Option<String>,
    ) -> Result<Connection<String, SessionNode>> {
        let group: GroupId = parse_id("groupId", &group_id)?;
        let (page, wanted) = time_page(first, after.as_deref())?;
        let rows = in_city!(ctx, READERS, |tx, _| sessions::list_by_group(
            &mut tx, group, page
        )
        .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            cursor,
            SessionNode,
        ))
    }

    /// One session of the city; null when there is none with this id here.
    async fn session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id.")] id: ID,
    ) -> Result<Option<SessionNode>> {
        let id: SessionId = parse_id("id", &id)?;
        in_city!(ctx, READERS, |tx, _| found(
            sessions::get(&mut tx, id).await
        )?)
        .map(|s| s.map(SessionNode))
    }
}

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
        in_city!(ctx, SCHEDULERS, |tx, _| {
            let session = sessions::schedule(&mut tx, &new).await?;
            mail::session_scheduled(&mut tx, &session).await?;
            session
        })
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
        in_city!(ctx, SCHEDULERS, |tx, _| {
            let old = sessions::get(&mut tx, id).await?;
            let session = sessions::reschedule(&mut tx, id, starts_at, ends_at).await?;
            mail::session_moved(&mut tx, &session, old.starts_at, old.ends_at).await?;
            session
        })
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
        in_city!(ctx, SCHEDULERS, |tx, _| {
            let session = sessions::cancel(&mut tx, id, &reason).await?;
            mail::session_cancelled(&mut tx, &session).await?;
            session
        })
        .map(SessionNode)
    }
}
