//! Reports over the rollups: `nationalReport` for the national role (every
//! city, small groups suppressed) and `cityReport` for a chapter admin (their
//! city, with the national median). The same reports download as CSV.

mod build;
mod cached;
mod csv;
mod model;
mod response;

pub use build::{MEDIAN_MIN_CITIES, Period, sort_rows};
pub use cached::{city as city_report, national as national_report};
pub use csv::{city_csv, national_csv};
pub use model::*;
pub use response::{ResponseSlot, VersionRead, national_slot};

use crate::RequestCtx;
use crate::error::db_error;
use crate::support::bad_input;
use async_graphql::{
    Context, InputValueError, InputValueResult, Object, Result, Scalar, ScalarType, Value,
};
use soi_core::Role;
use soi_core::report::YearMonth;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub YearMonth);

/// A calendar month written `YYYY-MM` (e.g. `2026-03`). Reports cover whole
/// months in each city's time zone.
#[Scalar(name = "YearMonth")]
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s.parse().map(Month).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// Checks the months of a request.
pub fn period(from: Month, to: Month) -> Result<Period> {
    Period::new(from.0, to.0).map_err(|m| bad_input("to", m))
}

/// The national role's report, sorted as asked.
pub async fn national_for(
    ctx: &Context<'_>,
    period: Period,
    group_by: ReportGrouping,
    sort: Option<ReportSort>,
) -> Result<NationalReport> {
    let req = ctx.data::<RequestCtx>()?;
    req.require(&[Role::National])?;
    let db = ctx.data::<soi_db::Db>()?;
    let redis = ctx.data::<Option<soi_cache::Redis>>()?.as_ref();
    let known = ctx.data_opt::<VersionRead>().map(|v| v.0);
    let mut report = cached::national(db, redis, period, group_by, known)
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
    /// names a person.
    async fn national_report(
        &self,
        ctx: &Context<'_>,
        from: Month,
        to: Month,
        #[graphql(default_with = "ReportGrouping::City")] group_by: ReportGrouping,
        sort: Option<ReportSort>,
    ) -> Result<NationalReport> {
        national_for(ctx, period(from, to)?, group_by, sort).await
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
    ) -> Result<CityReport> {
        let period = period(from, to)?;
        let req = ctx.data::<RequestCtx>()?;
        let (scope, _) = req.city_scope(&[Role::ChapterAdmin])?;
        let db = ctx.data::<soi_db::Db>()?;
        let redis = ctx.data::<Option<soi_cache::Redis>>()?.as_ref();
        let mut report = cached::city(db, redis, &scope, period, group_by)
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        sort_rows(&mut report.rows, sort);
        Ok(report)
    }
}
