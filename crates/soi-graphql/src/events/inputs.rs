//! Inputs of the event mutations, each checked before anything is written.

use super::nodes::Kind;
use crate::plumbing::{Valid, bad_input, parse_id, parse_opt_id};
use crate::shared::money::Tiyn;
use async_graphql::{ID, InputObject, MaybeUndefined, Result};
use chrono::{DateTime, Utc};
use soi_core::{CauseId, RinkId, text};
use soi_db::events::event_partners::NewPartner;
use soi_db::events::events::{Event, EventEdit, NewEvent};
use soi_db::tickets::ticket_types::{MAX_PRICE_TIYN, MAX_QUOTA};

/// Minutes a reservation is held unpaid when the admin does not say.
const DEFAULT_HOLD_MINUTES: i32 = 20;
/// Longest partner contribution, music credit and website.
pub const MAX_NOTE: usize = 400;

pub fn line(field: &'static str, v: &str) -> Result<String> {
    text::bounded(field, v, text::MAX_LINE).valid()
}

pub fn long_text(field: &'static str, v: &str) -> Result<String> {
    text::bounded(field, v, text::MAX_TEXT).valid()
}

/// One line of at most `max` characters, even when `max` allows new lines.
pub fn note(field: &'static str, v: &str, max: usize) -> Result<String> {
    let v = text::bounded(field, v, max).valid()?;
    if v.contains(['\n', '\t']) {
        return Err(bad_input(field, "must be one line"));
    }
    Ok(v)
}

fn hold(minutes: i32) -> Result<i32> {
    if (1..=1440).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(bad_input("holdMinutes", "must be between 1 and 1440"))
    }
}

/// A new event of a season.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// The season the event closes.
    pub season_id: ID,
    /// Ice show or competition.
    pub kind: Kind,
    /// Title, 1–200 characters.
    pub title: String,
    /// Motto, 1–200 characters.
    pub motto: Option<String>,
    /// The social problem the event speaks about, 1–4000 characters.
    pub social_theme: String,
    /// The rink it takes place on.
    pub rink_id: ID,
    /// When it starts; within the season (from the day before it starts to
    /// 14 days after it ends).
    pub starts_at: DateTime<Utc>,
    /// Minutes an unpaid reservation is held, 1–1440 (default 20).
    pub hold_minutes: Option<i32>,
    /// The social cause the ticket money goes to.
    pub cause_id: Option<ID>,
}

impl CreateEventInput {
    pub fn validate(&self) -> Result<NewEvent> {
        Ok(NewEvent {
            season_id: parse_id("seasonId", &self.season_id)?,
            kind: self.kind.into(),
            title: line("title", &self.title)?,
            motto: self
                .motto
                .as_deref()
                .map(|m| line("motto", m))
                .transpose()?,
            social_theme: long_text("socialTheme", &self.social_theme)?,
            rink_id: parse_id::<RinkId>("rinkId", &self.rink_id)?,
            starts_at: self.starts_at,
            hold_minutes: hold(self.hold_minutes.unwrap_or(DEFAULT_HOLD_MINUTES))?,
            cause_id: parse_opt_id::<CauseId>("causeId", self.cause_id.as_ref())?,
        })
    }
}

/// Changes to an event; fields left out stay as they are, `motto` and
/// `causeId` set to null are cleared.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// Title, 1–200 characters.
    pub title: Option<String>,
    /// Motto, 1–200 characters; null removes it.
    pub motto: MaybeUndefined<String>,
    /// The social problem, 1–4000 characters.
    pub social_theme: Option<String>,
    /// The rink.
    pub rink_id: Option<ID>,
    /// When it starts; within the season.
    pub starts_at: Option<DateTime<Utc>>,
    /// Minutes an unpaid reservation is held, 1–1440.
    pub hold_minutes: Option<i32>,
    /// The social cause the ticket money goes to; null removes it.
    pub cause_id: MaybeUndefined<ID>,
}

/// A checked [`UpdateEventInput`]: `None` keeps the stored value.
pub struct EventPatch {
    title: Option<String>,
    motto: Option<Option<String>>,
    social_theme: Option<String>,
    rink_id: Option<RinkId>,
    starts_at: Option<DateTime<Utc>>,
    hold_minutes: Option<i32>,
    cause_id: Option<Option<CauseId>>,
}

/// `None` for a field left out, `Some(None)` for null.
fn maybe<T, U>(
    v: &MaybeUndefined<T>,
    f: impl FnOnce(&T) -> Result<U>,
) -> Result<Option<Option<U>>> {
    Ok(match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(x) => Some(Some(f(x)?)),
    })
}

impl UpdateEventInput {
    pub fn validate(&self) -> Result<EventPatch> {
        Ok(EventPatch {
            title: self
                .title
                .as_deref()
                .map(|t| line("title", t))
                .transpose()?,
            motto: maybe(&self.motto, |m| line("motto", m))?,
            social_theme: self
                .social_theme
                .as_deref()
                .map(|t| long_text("socialTheme", t))
                .transpose()?,
            rink_id: parse_opt_id("rinkId", self.rink_id.as_ref())?,
            starts_at: self.starts_at,
            hold_minutes: self.hold_minutes.map(hold).transpose()?,
            cause_id: maybe(&self.cause_id, |c| parse_id("causeId", c))?,
        })
    }
}

impl EventPatch {
    /// The stored event's fields with the changes applied.
    pub fn apply(self, current: &Event) -> EventEdit {
        EventEdit {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            motto: self.motto.unwrap_or_else(|| current.motto.clone()),
            social_theme: self
                .social_theme
                .unwrap_or_else(|| current.social_theme.clone()),
            rink_id: self.rink_id.unwrap_or(current.rink_id),
            starts_at: self.starts_at.unwrap_or(current.starts_at),
            hold_minutes: self.hold_minutes.unwrap_or(current.hold_minutes),
            cause_id: self.cause_id.unwrap_or(current.cause_id),
        }
    }
}

/// An organization the event is made with.
#[derive(InputObject)]
pub struct PartnerInput {
    /// Name, 1–200 characters, unique among the event's partners.
    pub name: String,
    /// What the partner brings, 1–400 characters on one line.
    pub contribution: Option<String>,
    /// The partner's website, `http(s)://…`, at most 400 characters.
    pub website: Option<String>,
}

impl PartnerInput {
    pub fn validate(&self) -> Result<NewPartner> {
        let website = match self.website.as_deref() {
            None => None,
            Some(w) => {
                let w = note("website", w, MAX_NOTE)?;
                let scheme = w.starts_with("https://") || w.starts_with("http://");
                if !scheme || w.contains(char::is_whitespace) {
                    return Err(bad_input("website", "must be an http(s):// address"));
                }
                Some(w)
            }
        };
        Ok(NewPartner {
            name: line("name", &self.name)?,
            contribution: self
                .contribution
                .as_deref()
                .map(|c| note("contribution", c, MAX_NOTE))
                .transpose()?,
            website,
        })
    }
}

/// A kind of seat with a price and a quota.
#[derive(InputObject)]
pub struct TicketTypeInput {
    /// Name, 1–200 characters, unique among the event's ticket types.
    pub name: String,
    /// Price of one ticket in tiyn, 0 (free) to 100000000000.
    pub price_tiyn: Tiyn,
    /// Seats of this type, 1–100000.
    pub quota: i32,
}

impl TicketTypeInput {
    pub fn validate(&self) -> Result<(String, i64, i32)> {
        let name = line("name", &self.name)?;
        let price = self.price_tiyn.non_negative("priceTiyn")?;
        if price > MAX_PRICE_TIYN {
            return Err(bad_input(
                "priceTiyn",
                format!("must be at most {MAX_PRICE_TIYN}"),
            ));
        }
        Ok((name, price, quota(self.quota)?))
    }
}

pub fn quota(q: i32) -> Result<i32> {
    if (1..=MAX_QUOTA).contains(&q) {
        Ok(q)
    } else {
        Err(bad_input(
            "quota",
            format!("must be between 1 and {MAX_QUOTA}"),
        ))
    }
}
