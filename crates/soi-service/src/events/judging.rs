//! Judges' marks: taken only for a competition that is published (it is
//! under way); an ice show is not judged and a done competition's results
//! are final, both `CONFLICT`.

use soi_core::PerformanceId;
use soi_core::states::{EventKind, EventStatus};
use soi_db::events::judge_marks::{self, JudgeMark};
use soi_db::events::{events, performances};
use soi_db::{Error, Result, TenantTx};

/// Records a judge's score of a number, or replaces the judge's earlier one,
/// under the event's lock.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn mark(
    tx: &mut TenantTx,
    performance: PerformanceId,
    judge: &str,
    score_hundredths: i32,
) -> Result<JudgeMark> {
    judge_marks::check_score(score_hundredths)?;
    let p = performances::get(tx, performance).await?;
    let event = events::lock(tx, p.event_id).await?;
    if event.kind != EventKind::Competition {
        return Err(Error::Conflict("an ice show is not judged".into()));
    }
    if event.status != EventStatus::Published {
        return Err(Error::Conflict(format!(
            "marks are recorded while the competition is published; it is {}",
            event.status
        )));
    }
    judge_marks::upsert(tx, performance, judge, score_hundredths).await
}
