//! Seasons for chapter admins (and, read-only, coaches): list, read, create,
//! edit, move through phases. Every resolver opens a tenant transaction for
//! the city of the signed-in user.

use crate::applications::ApplicationNode;
use crate::loaders::CityLoader;
use crate::support::{Valid, bad_input, connection, found, in_city, mirror_enum, page, parse_id};
use crate::{RequestCtx, db_error};
use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::NaiveDate;
use soi_core::program::{EnrollmentStatus, SeasonPhase};
use soi_core::{EnrollmentId, Role, SeasonId, text};
use soi_db::enrollments;
use soi_db::seasons::{self, NewSeason, Season};

pub(crate) const READERS: &[Role] = &[Role::ChapterAdmin, Role::Coach];
pub(crate) const ADMINS: &[Role] = &[Role::ChapterAdmin];

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
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    /// Last day of the season.
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
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
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let taken = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        Ok(taken.unwrap_or(0))
    }
    /// Applications to the season in the order they came, optionally of one status.
    async fn applications(
        &self,
        ctx: &Context<'_>,
        status: Option<crate::applications::ApplicationStatus>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ApplicationNode>> {
        let (page, wanted) = page::<EnrollmentId>(first, after.as_deref())?;
        let status: Option<EnrollmentStatus> = status.map(Into::into);
        let rows = in_city!(ctx, ADMINS, |tx, _| enrollments::list_by_season(
            &mut tx, self.0.id, status, page
        )
        .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |e| e.id.to_string(),
            ApplicationNode,
        ))
    }
}

/// A loader error is shared between waiters; each gets its own copy.
pub(crate) fn clone_error(e: &std::sync::Arc<soi_db::Error>) -> soi_db::Error {
    match e.as_ref() {
        soi_db::Error::NotFound(w) => soi_db::Error::NotFound(w),
        soi_db::Error::Conflict(m) => soi_db::Error::Conflict(m.clone()),
        soi_db::Error::Forbidden => soi_db::Error::Forbidden,
        other => soi_db::Error::Unavailable(other.to_string()),
    }
}

/// A season's editable fields.
#[derive(InputObject)]
pub struct SeasonInput {
    /// Name, 1–200 characters.
    pub title: String,
    /// The social problem of the season's show, 1–4000 characters.
    pub social_theme: String,
    /// First day of training.
    pub starts_on: NaiveDate,
    /// Last day; after `startsOn`.
    pub ends_on: NaiveDate,
    /// Seats, 1–10000.
    pub capacity: i32,
    /// Accept applicants automatically while seats are free.
    #[graphql(default)]
    pub auto_accept: bool,
}

impl SeasonInput {
    fn validate(&self) -> Result<NewSeason> {
        let title = text::bounded("title", &self.title, text::MAX_LINE).valid()?;
        let social_theme =
            text::bounded("socialTheme", &self.social_theme, text::MAX_TEXT).valid()?;
        if self.ends_on <= self.starts_on {
            return Err(bad_input("endsOn", "must be after startsOn"));
        }
        if !(1..=10_000).contains(&self.capacity) {
            return Err(bad_input("capacity", "must be between 1 and 10000"));
        }
        Ok(NewSeason {
            title,
            social_theme,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            capacity: self.capacity,
            auto_accept: self.auto_accept,
        })
    }
}

#[derive(Default)]
pub struct SeasonQuery;

#[Object]
impl SeasonQuery {
    /// The city's seasons, newest first.
    async fn seasons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SeasonNode>> {
        let (page, wanted) = page::<SeasonId>(first, after.as_deref())?;
        let rows = in_city!(ctx, READERS, |tx, _| seasons::list(&mut tx, page).await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |s| s.id.to_string(),
            SeasonNode,
        ))
    }

    /// One season of the city; null when there is none with this id here.
    async fn season(&self, ctx: &Context<'_>, id: ID) -> Result<Option<SeasonNode>> {
        let id: SeasonId = parse_id("id", &id)?;
        in_city!(ctx, READERS, |tx, _| found(
            seasons::get(&mut tx, id).await
        )?)
        .map(|s| s.map(SeasonNode))
    }
}

#[derive(Default)]
pub struct SeasonMutation;

#[Object]
impl SeasonMutation {
    /// Opens a new season in the recruiting phase.
    async fn create_season(&self, ctx: &Context<'_>, input: SeasonInput) -> Result<SeasonNode> {
        let new = input.validate()?;
        in_city!(ctx, ADMINS, |tx, _| seasons::insert(
            &mut tx,
            SeasonId::new(),
            &new
        )
        .await?)
        .map(SeasonNode)
    }

    /// Changes a season's fields; capacity cannot drop below the seats taken.
    async fn update_season(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: SeasonInput,
    ) -> Result<SeasonNode> {
        let id: SeasonId = parse_id("id", &id)?;
        let new = input.validate()?;
        in_city!(ctx, ADMINS, |tx, _| soi_service::program::seasons::update(
            &mut tx, id, &new
        )
        .await?)
        .map(SeasonNode)
    }

    /// Moves a season one phase forward.
    async fn move_season_phase(
        &self,
        ctx: &Context<'_>,
        id: ID,
        phase: Phase,
    ) -> Result<SeasonNode> {
        let id: SeasonId = parse_id("id", &id)?;
        in_city!(ctx, ADMINS, |tx, _| seasons::move_to_phase(
            &mut tx,
            id,
            phase.into()
        )
        .await?)
        .map(SeasonNode)
    }
}
