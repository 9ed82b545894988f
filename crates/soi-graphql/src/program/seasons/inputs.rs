//! A season's fields as admins send them, checked before anything is written.

use crate::plumbing::{Valid, bad_input};
use crate::shared::date::Date;
use async_graphql::{InputObject, Result};
use soi_core::text;
use soi_db::program::seasons::NewSeason;

/// A season's editable fields.
#[derive(InputObject)]
pub struct SeasonInput {
    /// Name, 1–200 characters.
    pub title: String,
    /// The social problem of the season's show, 1–4000 characters.
    pub social_theme: String,
    /// First day of training.
    pub starts_on: Date,
    /// Last day; after `startsOn`.
    pub ends_on: Date,
    /// Seats, 1–10000.
    pub capacity: i32,
    /// Accept applicants automatically while seats are free.
    #[graphql(default)]
    pub auto_accept: bool,
}

impl SeasonInput {
    pub fn validate(&self) -> Result<NewSeason> {
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
            starts_on: self.starts_on.0,
            ends_on: self.ends_on.0,
            capacity: self.capacity,
            auto_accept: self.auto_accept,
        })
    }
}
