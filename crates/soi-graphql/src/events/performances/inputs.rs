//! A number of the show and a judge's score as admins send them, checked
//! before anything is written.

use crate::events::inputs::{MAX_NOTE, line, long_text, note};
use crate::plumbing::bad_input;
use async_graphql::{InputObject, Result};
use soi_db::events::performances::NewPerformance;

/// A number of the show.
#[derive(InputObject)]
pub struct PerformanceInput {
    /// Title, 1–200 characters.
    pub title: String,
    /// The social issue the number speaks about, 1–4000 characters.
    pub social_issue: String,
    /// The music, 1–400 characters on one line.
    pub music: Option<String>,
}

impl PerformanceInput {
    pub fn validate(&self) -> Result<NewPerformance> {
        Ok(NewPerformance {
            title: line("title", &self.title)?,
            social_issue: long_text("socialIssue", &self.social_issue)?,
            music: self
                .music
                .as_deref()
                .map(|m| note("music", m, MAX_NOTE))
                .transpose()?,
        })
    }
}

/// A judge's score 0.00–10.00 (at most two decimals) in hundredths.
pub fn score_hundredths(score: f64) -> Result<i32> {
    let h = score * 100.0;
    let whole = h.round();
    if !(0.0..=10.0).contains(&score) || (h - whole).abs() > 1e-6 {
        return Err(bad_input(
            "score",
            "must be between 0.00 and 10.00 with at most two decimals",
        ));
    }
    // In 0..=1000 by the check above.
    Ok(whole as i32)
}
