//! The public listing: published events with their ticket types and the
//! seats left.

use soi_core::EventId;
use soi_db::events::events::{self, Event};
use soi_db::tickets::ticket_types::{self, Seats};
use soi_db::{Result, TenantTx};

/// Published events that have not long begun (up to a day ago), in time
/// order, each with its ticket types and the seats left (two statements).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn published_with_remaining(tx: &mut TenantTx) -> Result<Vec<(Event, Vec<Seats>)>> {
    let listed = events::published(tx).await?;
    let ids: Vec<EventId> = listed.iter().map(|e| e.id).collect();
    let mut seats = ticket_types::with_remaining_of_events(tx, &ids).await?;
    Ok(listed
        .into_iter()
        .map(|e| {
            let mine = seats.remove(&e.id).unwrap_or_default();
            (e, mine)
        })
        .collect())
}
