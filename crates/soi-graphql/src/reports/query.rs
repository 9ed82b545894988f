//! The report queries: `nationalReport` for the national role (every city,
//! small groups suppressed) and `cityReport` for a chapter admin (their city,
//! with the national median).

use super::build::sort_rows;
use super::cached;
use super::inputs::{CityReportGrouping, Month, Period, ReportGrouping, ReportSort, period};
use super::nodes::{CityReport, NationalReport};
use super::plain::Whole;
use super::response::VersionRead;
use crate::plumbing::bad_input;
use crate::plumbing::error::db_error;
use crate::plumbing::request::RequestCtx;
use async_graphql::{Context, Object, Result};
use soi_cache::Redis;
use soi_core::Role;
use soi_db::Db;

/// The pool and Redis (when configured) a report is read through.
fn sources<'a>(ctx: &'a Context<'_>) -> Result<(&'a Db, Option<&'a Redis>)> {
    Ok((ctx.data::<Db>()?, ctx.data::<Option<Redis>>()?.as_ref()))
}

/// The national role's report, sorted as asked.
pub async fn national_for(
    ctx: &Context<'_>,
    period: Period,
    group_by: ReportGrouping,
    city: Option<&str>,
    sort: Option<ReportSort>,
) -> Result<NationalReport> {
    let req = ctx.data::<RequestCtx>()?;
    req.require(&[Role::National])?;
    let (db, redis) = sources(ctx)?;
    let known = ctx.data_opt::<VersionRead>().map(|v| v.0);
    let mut report = cached::national(db, redis, period, group_by, city, known)
        .await
        .map_err(|e| db_error(e, req.request_id()))?;
    sort_rows(&mut report.rows, sort);
    Ok(report)
}

/// Reports, each for the role it is made for.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The program's figures across every city for the months `from`–`to`
    /// (national role only). Figures that would describe fewer than five
    /// people are `null` and named in `suppressed`; no field of a report
    /// names a person. With `city`, one city's figures (its months or
    /// seasons), withheld as a table of their own and wherever the cities'
    /// comparison withholds that city's figure.
    async fn national_report(
        &self,
        ctx: &Context<'_>,
        from: Month,
        to: Month,
        #[graphql(default_with = "ReportGrouping::City")] group_by: ReportGrouping,
        sort: Option<ReportSort>,
        #[graphql(desc = "Only this city (its slug): a city's drill-down.")] city: Option<String>,
    ) -> Result<Whole<NationalReport>> {
        if let Some(slug) = &city {
            soi_core::Slug::parse(slug).map_err(|e| bad_input("city", e.message))?;
        }
        national_for(ctx, period(from, to)?, group_by, city.as_deref(), sort)
            .await
            .map(Whole)
    }

    /// Your city's figures for the months `from`–`to` (chapter admins), with
    /// the national median of the same months to compare against.
    async fn city_report(
        &self,
        ctx: &Context<'_>,
        from: Month,
        to: Month,
        #[graphql(default_with = "CityReportGrouping::Month")] group_by: CityReportGrouping,
        sort: Option<ReportSort>,
    ) -> Result<Whole<CityReport>> {
        let period = period(from, to)?;
        let req = ctx.data::<RequestCtx>()?;
        let (scope, _) = req.city_scope(&[Role::ChapterAdmin])?;
        let (db, redis) = sources(ctx)?;
        let mut report = cached::city(db, redis, &scope, period, group_by)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        sort_rows(&mut report.rows, sort);
        Ok(Whole(report))
    }
}
