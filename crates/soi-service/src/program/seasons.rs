//! A season's edits that depend on its enrollments.

use soi_core::SeasonId;
use soi_db::program::enrollments;
use soi_db::program::seasons::{self, NewSeason, Season};
use soi_db::{Error, Result, TenantTx};

/// Replaces the editable fields of a season, under its lock: capacity may
/// not drop below the seats taken (`CONFLICT`).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn update(tx: &mut TenantTx, id: SeasonId, new: &NewSeason) -> Result<Season> {
    seasons::lock(tx, id).await?;
    let taken = enrollments::seats_taken(tx, id).await?;
    if i64::from(new.capacity) < taken {
        return Err(Error::Conflict(format!(
            "{taken} seats are taken; capacity cannot be {}",
            new.capacity
        )));
    }
    seasons::update(tx, id, new).await
}
