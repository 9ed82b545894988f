//! Reading training sessions: chapter admins and coaches. The list is paged
//! by start time, so its cursor is a time, not an id.

use super::nodes::SessionNode;
use crate::plumbing::pages::{DEFAULT_PAGE, Pager};
use crate::plumbing::{bad_input, found, in_city, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use soi_core::{GroupId, SessionId};
use soi_db::Page;
use soi_db::program::sessions::{self, Session};

/// `first` and `after` of the sessions list, whose cursor is a start time
/// (the list is paged by start time, not by id).
fn time_page(first: Option<i32>, after: Option<&str>) -> Result<(Page<DateTime<Utc>>, Pager)> {
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
    let pager = Pager::new(wanted as usize, after.is_some());
    let page = Page {
        after,
        limit: wanted + 1,
    };
    Ok((page, pager))
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
        let (page, pager) = time_page(first, after.as_deref())?;
        let rows = in_city(ctx, STAFF, async |tx, _| {
            sessions::list_by_group(tx, group, page).await
        })
        .await?;
        Ok(pager.connection(rows, cursor, SessionNode))
    }

    /// The city's scheduled sessions from now on, soonest first (every
    /// group's; the list a chapter's dashboard shows as coming up).
    async fn upcoming_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1–50.", default = 10)] first: i32,
    ) -> Result<Vec<SessionNode>> {
        let limit = i64::from(first);
        if !(1..=50).contains(&limit) {
            return Err(bad_input("first", "must be between 1 and 50"));
        }
        let now = Utc::now();
        let rows = in_city(ctx, STAFF, async |tx, _| {
            sessions::upcoming(tx, now, limit).await
        })
        .await?;
        Ok(rows.into_iter().map(SessionNode).collect())
    }

    /// One session of the city; null when there is none with this id here.
    async fn session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id.")] id: ID,
    ) -> Result<Option<SessionNode>> {
        let id: SessionId = parse_id("id", &id)?;
        in_city(ctx, STAFF, async |tx, _| found(sessions::get(tx, id).await))
            .await
            .map(|s| s.map(SessionNode))
    }
}
