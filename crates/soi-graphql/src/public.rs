//! Public operations: the list of city chapters, and a city's seasons open for
//! applications. No sign-in; the city is named by slug.

use crate::{RequestCtx, db_error};
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;
use soi_core::CityScope;
use soi_db::{Db, cities, seasons};

/// A city chapter of the program.
#[derive(SimpleObject)]
pub struct City {
    /// URL name, e.g. `almaty`.
    pub slug: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
    /// IANA time zone the city's times are shown in.
    pub time_zone: String,
    /// `planned`, `active` or `paused`.
    pub status: String,
    /// When the chapter started.
    pub launched_on: Option<NaiveDate>,
}

impl From<cities::City> for City {
    fn from(c: cities::City) -> Self {
        Self {
            slug: c.slug,
            name_kk: c.name_kk,
            name_ru: c.name_ru,
            name_en: c.name_en,
            time_zone: c.time_zone,
            status: c.status.code().to_owned(),
            launched_on: c.launched_on,
        }
    }
}

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
    pub starts_on: NaiveDate,
    /// Last day of the season (the show is before it).
    pub ends_on: NaiveDate,
    /// Seats in the season.
    pub capacity: i32,
    /// Seats not yet taken by accepted participants.
    pub seats_left: i64,
}

#[derive(Default)]
pub struct PublicQuery;

#[Object]
impl PublicQuery {
    /// Every city chapter.
    async fn cities(&self, ctx: &Context<'_>) -> Result<Vec<City>> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let run = async {
            let mut tx = db.national().await?;
            let list = cities::list(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(list)
        };
        Ok(run
            .await
            .map_err(|e| db_error(e, req.request_id()))?
            .into_iter()
            .map(City::from)
            .collect())
    }

    /// Seasons of a city that take applications now.
    async fn open_seasons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
    ) -> Result<Vec<OpenSeason>> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let run = async {
            let mut national = db.national().await?;
            let found = cities::by_slug(&mut national, &city).await?;
            national.commit().await?;
            let mut tx = db.tenant(&CityScope::for_public(found.id)).await?;
            let open = seasons::open_for_applications(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(open)
        };
        let open = run.await.map_err(|e| db_error(e, req.request_id()))?;
        Ok(open
            .into_iter()
            .map(|(s, taken)| OpenSeason {
                id: s.id.as_uuid(),
                title: s.title,
                social_theme: s.social_theme,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                capacity: s.capacity,
                seats_left: (i64::from(s.capacity) - taken).max(0),
            })
            .collect())
    }
}
