//! Creating and editing an event: its start falls on a day from one day
//! before its season starts to [`DAYS_AFTER_SEASON`] days after it ends (UTC
//! day; the day of slack on each side covers the city's offset, the tail
//! lets the finale follow the last training).

use chrono::{DateTime, Days, Utc};
use soi_core::{EventId, InputError, SeasonId};
use soi_db::events::events::{self, Event, EventEdit, NewEvent};
use soi_db::program::seasons;
use soi_db::{Error, Result, TenantTx};

/// How long after the season's last day its event may still take place.
pub const DAYS_AFTER_SEASON: u64 = 14;

/// A new draft event inside its season's window.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn create(tx: &mut TenantTx, id: EventId, e: &NewEvent) -> Result<Event> {
    events::check_hold(e.hold_minutes)?;
    check_in_season(tx, e.season_id, e.starts_at).await?;
    events::insert(tx, id, e).await
}

/// Replaces the editable fields while the event is a draft or published
/// (locked: `CONFLICT` once done), keeping it inside its season's window.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn update(tx: &mut TenantTx, id: EventId, e: &EventEdit) -> Result<Event> {
    events::check_hold(e.hold_minutes)?;
    let current = events::lock_editable(tx, id).await?;
    check_in_season(tx, current.season_id, e.starts_at).await?;
    events::update(tx, id, e).await
}

/// Refuses a start outside the season's window (see the module docs).
async fn check_in_season(
    tx: &mut TenantTx,
    season: SeasonId,
    starts_at: DateTime<Utc>,
) -> Result<()> {
    let s = seasons::get(tx, season).await?;
    let day = starts_at.date_naive();
    let first = s.starts_on.checked_sub_days(Days::new(1));
    let last = s.ends_on.checked_add_days(Days::new(DAYS_AFTER_SEASON));
    let inside = first.is_none_or(|f| day >= f) && last.is_none_or(|l| day <= l);
    if inside {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "startsAt",
            format!(
                "must fall within the season ({} to {}, or up to {DAYS_AFTER_SEASON} days after)",
                s.starts_on, s.ends_on
            ),
        )))
    }
}
