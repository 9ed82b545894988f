//! The national totals, live: for the national role, re-read after every
//! change signal of any city.

use super::inputs::{Month, period};
use super::nodes::ReportFigures;
use crate::plumbing::error::db_error;
use crate::plumbing::live::{live, parts, signals};
use async_graphql::futures_util::stream::{Stream, StreamExt};
use async_graphql::{Context, Result, Subscription};
use soi_cache::Scope;
use soi_core::Role;
use soi_core::report::{Figures, Grouping, Shown, suppress_rows};
use soi_db::Db;
use soi_db::reports::rollups::{self, ReportQuery};

/// The totals as the national report by city withholds them (a total is
/// rarely withheld only because of the rows beside it).
async fn read_totals(db: &Db, q: ReportQuery) -> soi_db::Result<Shown> {
    let mut tx = db.report().await?;
    let rows = rollups::national(
        &mut tx,
        &ReportQuery {
            by: Some(Grouping::City),
            ..q
        },
    )
    .await?;
    let totals = rollups::national(&mut tx, &q).await?;
    tx.finish().await?;
    let raw: Vec<Figures> = rows.iter().map(|r| r.figures).collect();
    let totals = totals.first().map(|r| r.figures).unwrap_or_default();
    Ok(suppress_rows(&raw, &totals).1)
}

#[derive(Default)]
pub struct ReportSubscription;

#[Subscription]
impl ReportSubscription {
    /// Every city's totals for the months `from`–`to` (national role), with
    /// small groups suppressed. Sent now, then again as the figures change.
    async fn national_totals(
        &self,
        ctx: &Context<'_>,
        from: Month,
        to: Month,
    ) -> Result<impl Stream<Item = ReportFigures>> {
        let period = period(from, to)?;
        let (req, db, redis) = parts(ctx)?;
        req.require(&[Role::National])?;
        let q = ReportQuery {
            from: period.from.first_day(),
            to: period.to.first_day(),
            by: None::<Grouping>,
        };
        let first = read_totals(&db, q)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        let signals = signals(redis.as_ref(), Scope::National);
        let updates = live(signals, first, move || {
            let db = db.clone();
            async move { read_totals(&db, q).await }
        });
        Ok(updates.map(|s| ReportFigures::from(&s)))
    }
}
