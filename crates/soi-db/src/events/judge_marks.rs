//! Judges' marks of a competition's numbers and the results they give.
//! Every query runs inside a [`TenantTx`] and names `city_id = $1` on each
//! city table.
//!
//! Marks are taken only for a competition that is published (it is under
//! way): an ice show is not judged and a done competition's results are
//! final, both `CONFLICT` (checked by `soi_service::events::mark`).

use crate::TenantTx;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use soi_core::{EventId, InputError, PerformanceId};
use uuid::Uuid;

/// The highest score, 10.00, in hundredths.
pub const MAX_SCORE_HUNDREDTHS: i32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JudgeMark {
    #[sqlx(try_from = "Uuid")]
    pub performance_id: PerformanceId,
    pub judge: String,
    pub score_hundredths: i32,
    pub marked_at: DateTime<Utc>,
}

/// A judged number's result.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Standing {
    #[sqlx(try_from = "Uuid")]
    pub performance_id: PerformanceId,
    /// The mean of the judges' scores, in hundredths.
    pub average_hundredths: f64,
    pub judges: i64,
    /// 1 for the best average; equal averages share a place.
    pub place: i64,
}

/// A score of 0.00 to 10.00, in hundredths.
pub fn check_score(score_hundredths: i32) -> Result<()> {
    if (0..=MAX_SCORE_HUNDREDTHS).contains(&score_hundredths) {
        Ok(())
    } else {
        Err(Error::Invalid(InputError::new(
            "score",
            "must be between 0.00 and 10.00",
        )))
    }
}

/// Records a judge's score of a number, or replaces the judge's earlier one.
/// That the event is a published competition is the caller's rule
/// (`soi_service::events::mark`), under the event's lock.
pub async fn upsert(
    tx: &mut TenantTx,
    performance: PerformanceId,
    judge: &str,
    score_hundredths: i32,
) -> Result<JudgeMark> {
    check_score(score_hundredths)?;
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "insert into judge_marks (city_id, performance_id, judge, score_hundredths) values ($1, $2, $3, $4) \
         on conflict (city_id, performance_id, judge) \
         do update set score_hundredths = excluded.score_hundredths, marked_at = now() \
         returning performance_id, judge, score_hundredths, marked_at",
    )
    .bind(city)
    .bind(performance.as_uuid())
    .bind(judge)
    .bind(score_hundredths)
    .fetch_one(conn)
    .await?)
}

/// A number's marks by judge.
pub async fn of_performance(
    tx: &mut TenantTx,
    performance: PerformanceId,
) -> Result<Vec<JudgeMark>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select performance_id, judge, score_hundredths, marked_at from judge_marks \
         where city_id = $1 and performance_id = $2 order by judge",
    )
    .bind(city)
    .bind(performance.as_uuid())
    .fetch_all(conn)
    .await?)
}

/// The results of an event's judged numbers, best first.
pub async fn results(tx: &mut TenantTx, event: EventId) -> Result<Vec<Standing>> {
    results_of_events(tx, &[event]).await
}

/// The results of several events' judged numbers at once (one statement),
/// each placed among its own event's numbers; by event, then best first.
pub async fn results_of_events(tx: &mut TenantTx, events: &[EventId]) -> Result<Vec<Standing>> {
    let ids: Vec<Uuid> = events.iter().map(EventId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select m.performance_id, avg(m.score_hundredths)::float8 as average_hundredths, \
                count(*) as judges, \
                rank() over (partition by p.event_id order by avg(m.score_hundredths) desc) as place \
         from judge_marks m join performances p on p.city_id = $1 and p.id = m.performance_id \
         where m.city_id = $1 and p.event_id = any($2) \
         group by p.event_id, m.performance_id order by p.event_id, place, m.performance_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}
