//! Reports as CSV or XLSX over plain HTTP, for the signed-in user (bearer
//! token): `GET /reports/national.csv` (`.xlsx`) for the national role and
//! `/reports/city.csv` (`.xlsx`) for a chapter admin, with `from` and `to`
//! (`YYYY-MM`) and optionally `groupBy` (`city`, `month`, `season`), `sort`
//! (a figure's name or `key`) and `descending`; the national one also takes
//! `city` (a slug: that city's drill-down). The same figures, suppression and
//! cache as GraphQL, the same lines and columns in either format.

use crate::AppState;
use crate::graphql::request_ctx;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use soi_core::Role;
use soi_graphql::ErrorCode;
use soi_graphql::reports::{
    CityReportGrouping, Period, ReportGrouping, ReportSort, ReportSortField, city_csv, city_report,
    city_xlsx, national_csv, national_report, national_xlsx, sort_rows,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    from: String,
    to: String,
    group_by: Option<String>,
    sort: Option<String>,
    #[serde(default)]
    descending: bool,
    city: Option<String>,
}

/// What a download is written as.
#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

/// A refused download: a status and a GraphQL-style JSON error.
pub struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code.as_str() } }] });
        (self.status, axum::Json(body)).into_response()
    }
}

pub(crate) fn failure(status: StatusCode, code: ErrorCode, message: &str) -> Refusal {
    Refusal {
        status,
        code,
        message: message.to_owned(),
    }
}

pub(crate) fn bad(message: impl AsRef<str>) -> Refusal {
    failure(
        StatusCode::BAD_REQUEST,
        ErrorCode::BadUserInput,
        message.as_ref(),
    )
}

fn period(p: &Params) -> Result<Period, Refusal> {
    let from = p
        .from
        .parse()
        .map_err(|e: String| bad(format!("from: {e}")))?;
    let to = p.to.parse().map_err(|e: String| bad(format!("to: {e}")))?;
    Period::new(from, to).map_err(bad)
}

fn sort(p: &Params) -> Result<Option<ReportSort>, Refusal> {
    let Some(name) = p.sort.as_deref() else {
        return Ok(None);
    };
    // Enum values as GraphQL spells them, e.g. TICKETS_SOLD or ticketsSold.
    let wanted: String = name
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let field = <ReportSortField as async_graphql::resolver_utils::EnumType>::items()
        .iter()
        .find(|i| i.name.replace('_', "").to_lowercase() == wanted)
        .map(|i| i.value)
        .ok_or_else(|| bad(format!("sort: unknown figure '{name}'")))?;
    Ok(Some(ReportSort {
        field,
        descending: p.descending,
    }))
}

fn attachment(body: Vec<u8>, kind: &'static str, name: &str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub(crate) async fn signed_in(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    role: Role,
) -> Result<soi_graphql::RequestCtx, Refusal> {
    let ctx = request_ctx(state, headers, None).await.map_err(|r| {
        let (status, code, message) = r.parts();
        failure(status, code, message)
    })?;
    if ctx.principal().is_none() {
        return Err(failure(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "sign in and send the access token as a bearer token",
        ));
    }
    if ctx.principal().map(|p| p.role()) != Some(role) {
        return Err(failure(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "your role may not download this report",
        ));
    }
    Ok(ctx)
}

pub(crate) fn internal(request_id: &str, e: &soi_db::Error) -> Refusal {
    tracing::error!(request_id, error = %e, "report failed");
    failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        &format!("internal error; quote request id {request_id}"),
    )
}

/// A report in the format asked for, named `{stem}.csv` or `{stem}.xlsx`.
fn written<E: std::fmt::Display>(
    format: Format,
    stem: &str,
    csv: impl FnOnce() -> String,
    xlsx: impl FnOnce() -> Result<Vec<u8>, E>,
    request_id: &str,
) -> Result<Response, Refusal> {
    Ok(match format {
        Format::Csv => attachment(
            csv().into_bytes(),
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
        Format::Xlsx => {
            let bytes = xlsx().map_err(|e| {
                tracing::error!(request_id, error = %e, "spreadsheet failed");
                failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    &format!("internal error; quote request id {request_id}"),
                )
            })?;
            attachment(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{stem}.xlsx"),
            )
        }
    })
}

/// `GET /reports/{national|city}.{csv|xlsx}`.
pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, Refusal> {
    let not_found = || {
        failure(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "reports are national and city, as .csv or .xlsx",
        )
    };
    let (report, format) = match file.rsplit_once('.') {
        Some((r, "csv")) => (r, Format::Csv),
        Some((r, "xlsx")) => (r, Format::Xlsx),
        _ => return Err(not_found()),
    };
    match report {
        "national" => national(state, headers, query, format).await,
        "city" => city(state, headers, query, format).await,
        _ => Err(not_found()),
    }
}

async fn national(
    state: AppState,
    headers: axum::http::HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
    format: Format,
) -> Result<Response, Refusal> {
    let Query(p) = query.map_err(|_| bad("give from and to as YYYY-MM"))?;
    let ctx = signed_in(&state, &headers, Role::National).await?;
    let (period, sort) = (period(&p)?, sort(&p)?);
    let by = match p.group_by.as_deref() {
        None | Some("city") => ReportGrouping::City,
        Some("month") => ReportGrouping::Month,
        Some("season") => ReportGrouping::Season,
        Some(other) => {
            return Err(bad(format!(
                "groupBy: '{other}' is not city, month or season"
            )));
        }
    };
    let city = p.city.as_deref();
    if let Some(slug) = city {
        soi_core::Slug::parse(slug).map_err(|e| bad(format!("city: {}", e.message)))?;
    }
    let mut r = national_report(&state.db, state.redis.as_ref(), period, by, city, None)
        .await
        .map_err(|e| internal(ctx.request_id(), &e))?;
    sort_rows(&mut r.rows, sort);
    let stem = city.map_or_else(
        || "national-report".to_owned(),
        |c| format!("national-report-{c}"),
    );
    written(
        format,
        &stem,
        || national_csv(&r),
        || national_xlsx(&r),
        ctx.request_id(),
    )
}

async fn city(
    state: AppState,
    headers: axum::http::HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
    format: Format,
) -> Result<Response, Refusal> {
    let Query(p) = query.map_err(|_| bad("give from and to as YYYY-MM"))?;
    let ctx = signed_in(&state, &headers, Role::ChapterAdmin).await?;
    let scope = ctx
        .principal()
        .and_then(|p| p.city_scope())
        .ok_or_else(|| failure(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "no city"))?;
    let (period, sort) = (period(&p)?, sort(&p)?);
    let by = match p.group_by.as_deref() {
        None | Some("month") => CityReportGrouping::Month,
        Some("season") => CityReportGrouping::Season,
        Some(other) => return Err(bad(format!("groupBy: '{other}' is not month or season"))),
    };
    let mut r = city_report(&state.db, state.redis.as_ref(), &scope, period, by)
        .await
        .map_err(|e| internal(ctx.request_id(), &e))?;
    sort_rows(&mut r.rows, sort);
    let stem = format!("{}-report", r.city.slug);
    written(
        format,
        &stem,
        || city_csv(&r),
        || city_xlsx(&r),
        ctx.request_id(),
    )
}
