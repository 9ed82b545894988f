//! A season as the city's staff see it.

use crate::plumbing::loaders::SeatsTaken;
use crate::plumbing::{Load, in_city, mirror_enum, page};
use crate::program::applications::{ApplicationNode, ApplicationStatus};
use crate::shared::date::Date;
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::EnrollmentId;
use soi_core::states::{EnrollmentStatus, SeasonPhase};
use soi_db::program::enrollments;
use soi_db::program::seasons::Season;

mirror_enum! {
    /// Where a season is: recruiting → training → show → closed.
    #[graphql(name = "SeasonPhase")]
    Phase <=> SeasonPhase {
        /// Taking applications.
        Recruiting,
        /// Groups train.
        Training,
        /// The ice show is prepared and held.
        Show,
        /// Over.
        Closed,
    }
}

pub struct SeasonNode(pub Season);

/// A six-month run of the program in the city.
#[Object(name = "Season")]
impl SeasonNode {
    /// The season's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, e.g. "Students on Ice 2026–2027".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The social problem the season's show speaks about.
    async fn social_theme(&self) -> &str {
        &self.0.social_theme
    }
    /// First day of training.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Last day of the season.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Seats in the season.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Where the season is.
    async fn phase(&self) -> Phase {
        self.0.phase.into()
    }
    /// Whether applicants are accepted automatically while seats are free.
    async fn auto_accept(&self) -> bool {
        self.0.auto_accept
    }
    /// Seats taken by accepted, active and completed participants.
    async fn seats_taken(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(ctx.load(SeatsTaken(self.0.id)).await?.unwrap_or(0))
    }
    /// Applications to the season in the order they came, optionally of one status.
    async fn applications(
        &self,
        ctx: &Context<'_>,
        status: Option<ApplicationStatus>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ApplicationNode>> {
        let (page, pager) = page::<EnrollmentId>(first, after.as_deref())?;
        let status: Option<EnrollmentStatus> = status.map(Into::into);
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            enrollments::list_by_season(tx, self.0.id, status, page).await
        })
        .await?;
        Ok(pager.connection(rows, |e| e.id.to_string(), ApplicationNode))
    }
}
