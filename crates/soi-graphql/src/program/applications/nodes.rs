//! Applications as the city's admins see them.

use crate::plumbing::loaders::ParticipantOf;
use crate::plumbing::{Load, mirror_enum};
use crate::shared::nodes::ParticipantNode;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use soi_core::states::EnrollmentStatus;
use soi_db::program::enrollments::Enrollment;

mirror_enum! {
    /// Where an application stands.
    ApplicationStatus <=> EnrollmentStatus {
        /// Received, not decided.
        Applied,
        /// Has a seat.
        Accepted,
        /// Waits for a seat.
        Waitlisted,
        /// Not taken.
        Rejected,
        /// Training.
        Active,
        /// Finished the season.
        Completed,
        /// Left the season.
        Withdrawn,
    }
}

pub struct ApplicationNode(pub Enrollment);

/// A participant's application to a season.
#[Object(name = "Application")]
impl ApplicationNode {
    /// The application's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where it stands.
    async fn status(&self) -> ApplicationStatus {
        self.0.status.into()
    }
    /// When it came in.
    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.applied_at
    }
    /// When an admin last decided on it.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Why the applicant wants to skate.
    async fn motivation(&self) -> Option<&str> {
        self.0.motivation.as_deref()
    }
    /// When the consent given with this application was given (each
    /// application records its own).
    async fn consent_given_at(&self) -> DateTime<Utc> {
        self.0.consent_given_at
    }
    /// Which version of the consent text this application accepted.
    async fn consent_text_version(&self) -> &str {
        &self.0.consent_text_version
    }
    /// The applicant.
    async fn participant(&self, ctx: &Context<'_>) -> Result<Option<ParticipantNode>> {
        let p = ctx.load(ParticipantOf(self.0.participant_id)).await?;
        Ok(p.map(ParticipantNode))
    }
}

/// A withdrawal, and who got the freed seat.
#[derive(SimpleObject)]
pub struct Withdrawal {
    /// The withdrawn application.
    pub withdrawn: ApplicationNode,
    /// The waitlisted application that got the seat, if any.
    pub promoted: Option<ApplicationNode>,
}
