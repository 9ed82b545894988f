//! A city chapter as anyone may see it.

use crate::shared::date::Date;
use async_graphql::SimpleObject;
use soi_db::cities;

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
    pub launched_on: Option<Date>,
    /// Latitude in degrees (WGS 84, north positive); null when not given.
    pub latitude: Option<f64>,
    /// Longitude in degrees (WGS 84, east positive); null when not given.
    pub longitude: Option<f64>,
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
            launched_on: c.launched_on.map(Date),
            latitude: c.latitude,
            longitude: c.longitude,
        }
    }
}
