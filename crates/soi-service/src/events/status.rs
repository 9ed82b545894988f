//! An event's status moves forward only: draft → published → done, and
//! publishing needs at least one ticket type.

use soi_core::EventId;
use soi_core::states::EventStatus;
use soi_db::events::events::{self, Event};
use soi_db::tickets::ticket_types;
use soi_db::{Error, Result, TenantTx};

/// Moves the event one step forward (draft → published → done), under its
/// lock; publishing needs a ticket type. Any other move is a `CONFLICT`.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn set_status(tx: &mut TenantTx, id: EventId, next: EventStatus) -> Result<Event> {
    let current = events::lock(tx, id).await?;
    if !current.status.can_move_to(next) {
        return Err(Error::Conflict(format!(
            "a {} event cannot become {next}",
            current.status
        )));
    }
    if next == EventStatus::Published && ticket_types::count_for_event(tx, id).await? == 0 {
        return Err(Error::Conflict(
            "add at least one ticket type before publishing".into(),
        ));
    }
    events::write_status(tx, id, next).await
}
