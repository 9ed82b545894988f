//! Access requests over HTTP (`soi_service::personal_data`), with the
//! bearer token:
//! - `GET /personal-data/me.json`: a participant's own data;
//! - `GET /personal-data/{participant id}.json|.xlsx`: a chapter admin's
//!   download for one person of the city (to hand over on request).
//!
//! Who is asked about comes from the token (the participant's own id) or
//! from the path within the admin's city: never another city's person. Each
//! download is recorded in the city's audit log (ids only).

use crate::AppState;
use crate::reports::{Refusal, failure, internal, signed_in};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soi_core::{CityScope, ParticipantId, Role, SystemCtx};
use soi_graphql::{ErrorCode, RequestCtx};
use soi_service::personal_data::{self, PersonalData};

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let (who, xlsx) = match file.rsplit_once('.') {
        Some((who, "json")) => (who, false),
        Some((who, "xlsx")) => (who, true),
        _ => return Err(not_found()),
    };
    let (ctx, read_scope, participant) = if who == "me" && !xlsx {
        let ctx = signed_in(&state, &headers, Role::Participant).await?;
        let (city, participant) = ctx
            .principal()
            .and_then(|p| Some((p.city()?, p.participant()?)))
            .ok_or_else(|| {
                failure(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "no participant",
                )
            })?;
        // The participant's own rows only, but every table that holds them
        // (emails, orders, the audit log are not a participant's to list):
        // read as this job, for the id the token names.
        let scope = SystemCtx::new("access-request").in_city(city);
        (ctx, scope, participant)
    } else {
        let id: uuid::Uuid = who.parse().map_err(|_| not_found())?;
        let participant = ParticipantId::from_uuid(id);
        let ctx = signed_in(&state, &headers, Role::ChapterAdmin).await?;
        let scope = city_scope(&ctx)?;
        (ctx, scope, participant)
    };
    let data = collect(&state, &ctx, &read_scope, participant).await?;
    record(&state, &ctx, participant).await?;
    let name = format!("{}-{}", data.city, participant);
    if xlsx {
        let body = data
            .to_xlsx()
            .map_err(|e| internal(ctx.request_id(), &soi_db::Error::Unavailable(e.to_string())))?;
        let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        Ok(attachment(body, mime, &format!("{name}.xlsx")))
    } else {
        let body = serde_json::to_vec_pretty(&data.to_json()).unwrap_or_default();
        Ok(attachment(
            body,
            "application/json",
            &format!("{name}.json"),
        ))
    }
}

fn city_scope(ctx: &RequestCtx) -> Result<CityScope, Refusal> {
    ctx.principal()
        .and_then(|p| p.city_scope())
        .ok_or_else(|| failure(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "no city"))
}

async fn collect(
    state: &AppState,
    ctx: &RequestCtx,
    scope: &CityScope,
    participant: ParticipantId,
) -> Result<PersonalData, Refusal> {
    let found = async {
        let mut tx = state.db.tenant_read_only(scope).await?;
        tx.set_request_id(ctx.request_id());
        let data = personal_data::collect(&mut tx, participant).await?;
        tx.commit().await?;
        Ok::<_, soi_db::Error>(data)
    }
    .await;
    found.map_err(|e| match e {
        soi_db::Error::NotFound(_) => failure(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such participant in your city",
        ),
        e => internal(ctx.request_id(), &e),
    })
}

/// Records the download in the city's audit log, as the one who asked.
async fn record(
    state: &AppState,
    ctx: &RequestCtx,
    participant: ParticipantId,
) -> Result<(), Refusal> {
    let scope = city_scope(ctx)?;
    let targets = serde_json::json!({ "participantId": participant.to_string() });
    let done = async {
        let mut tx = state.db.tenant(&scope).await?;
        soi_db::audit::record(
            &mut tx,
            "personalDataDownload",
            &targets,
            Some(ctx.request_id()),
        )
        .await?;
        tx.commit().await
    }
    .await;
    done.map_err(|e| internal(ctx.request_id(), &e))
}

fn attachment(body: Vec<u8>, mime: &'static str, file: &str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    // Personal data: never kept by a cache on the way.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn not_found() -> Refusal {
    failure(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "ask for /personal-data/me.json, or as a chapter admin /personal-data/<participant id>.json or .xlsx",
    )
}
