//! What anyone sees of a city's seasons without signing in: the seasons
//! open for applications, the city named by slug.

use crate::plumbing::in_public_city_id;
use crate::plumbing::run::national;
use crate::shared::date::Date;
use async_graphql::{Context, Object, Result, SimpleObject};
use soi_db::cities;
use soi_db::program::seasons;

/// A season that takes applications.
#[derive(SimpleObject)]
pub struct OpenSeason {
    /// The season's id, to apply with.
    pub id: uuid::Uuid,
    /// The season's name, e.g. "Students on Ice 2027–2028".
    pub title: String,
    /// The social problem the season's show speaks about.
    pub social_theme: String,
    /// First day of training.
    pub starts_on: Date,
    /// Last day of the season (the show is before it).
    pub ends_on: Date,
    /// Seats in the season.
    pub capacity: i32,
    /// Seats not yet taken by accepted participants.
    pub seats_left: i64,
}

#[derive(Default)]
pub struct SeasonPublicQuery;

#[Object]
impl SeasonPublicQuery {
    /// Seasons of a city that take applications now.
    async fn open_seasons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
    ) -> Result<Vec<OpenSeason>> {
        let id = national(ctx, async |tx| Ok(cities::by_slug(tx, &city).await?.id)).await?;
        let open = in_public_city_id(ctx, id, &[], async |tx| {
            seasons::open_for_applications(tx).await
        })
        .await?;
        Ok(open
            .into_iter()
            .map(|(s, taken)| OpenSeason {
                id: s.id.as_uuid(),
                title: s.title,
                social_theme: s.social_theme,
                starts_on: Date(s.starts_on),
                ends_on: Date(s.ends_on),
                capacity: s.capacity,
                seats_left: (i64::from(s.capacity) - taken).max(0),
            })
            .collect())
    }
}
