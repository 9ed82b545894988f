//! A session's times and places as staff send them, checked before
//! anything is written.

use crate::plumbing::{bad_input, parse_id};
use async_graphql::{ID, InputObject, Result};
use chrono::{DateTime, Duration, Utc};
use soi_core::{RinkId, SessionId};
use soi_db::program::sessions::NewSession;

/// Longest session.
const MAX_LENGTH: Duration = Duration::hours(12);

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
    pub fn validate(&self) -> Result<NewSession> {
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
pub fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<()> {
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
