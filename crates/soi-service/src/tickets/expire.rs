//! Expiring lapsed holds (the sweeper): their seats go back on sale.

use soi_db::tickets::seats;
use soi_db::{Result, TenantTx};

/// Expires up to `limit` held orders of the city whose time is up and gives
/// their seats back; returns how many. Idempotent and safe to run in several
/// processes at once: holds locked elsewhere are skipped.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn expire(tx: &mut TenantTx, limit: u32) -> Result<u64> {
    seats::expire_due(tx, limit).await
}
