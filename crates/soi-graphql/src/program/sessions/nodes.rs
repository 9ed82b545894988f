//! A training session as the city's staff see it.

use crate::plumbing::mirror_enum;
use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use soi_core::states::SessionStatus;
use soi_db::program::sessions::Session;

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
