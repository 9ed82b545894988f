//! Checking a ticket in at the door: the first scan admits, later ones see
//! when that was (one conditional UPDATE: concurrent scans wait for it).

use soi_db::tickets::tickets::{self, CheckIn};
use soi_db::{Result, TenantTx};

/// Admits the holder of `code` once. Unknown code (or one of another city):
/// `NOT_FOUND`; a refunded ticket: `CONFLICT`; a later scan is not
/// `admitted` and carries the time of the first.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn check_in(tx: &mut TenantTx, code: &str) -> Result<CheckIn> {
    tickets::check_in(tx, code).await
}
