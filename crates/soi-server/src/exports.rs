//! Exports over HTTP for chapter admins: `GET /exports/{kind}.{csv|xlsx}`
//! with `season`, `from`, `to` (YYYY-MM-DD, the city's days) and `language`
//! (en, ru, kk), and the bearer token. The city is the token's, never the
//! request's; the export runs in a read-only tenant transaction of it.
//!
//! The body streams. CSV: rows go from PostgreSQL through the CSV writer to
//! the client in small chunks, with back-pressure (a bounded channel), so
//! memory stays flat however large the table. XLSX cannot be written to a
//! socket as it goes (the file is a zip whose directory comes last): the
//! sheet is written in constant-memory mode to a temp file, which is then
//! streamed and deleted. Headers go out at once, so the request timeout
//! does not cut a long export.

use crate::AppState;
use crate::reports::{Refusal, bad, failure, internal, signed_in};
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use soi_core::{Language, Role, SeasonId};
use soi_db::TenantTx;
use soi_graphql::ErrorCode;
use soi_service::exports::{self, Cell, CsvSink, ExportError, Kind, Request, Sink, XlsxSink};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

#[derive(Deserialize)]
pub struct Params {
    season: Option<String>,
    from: Option<String>,
    to: Option<String>,
    language: Option<String>,
}

type Chunk = Result<Bytes, std::io::Error>;

/// Chunks in flight between the export and the socket.
const CHANNEL: usize = 8;

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, Refusal> {
    let ctx = signed_in(&state, &headers, Role::ChapterAdmin).await?;
    let scope = ctx
        .principal()
        .and_then(|p| p.city_scope())
        .ok_or_else(|| failure(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "no city"))?;
    let Query(p) = query.map_err(|_| bad("season, from, to and language are the parameters"))?;
    let (kind, xlsx) = match file.rsplit_once('.') {
        Some((k, "csv")) => (k, false),
        Some((k, "xlsx")) => (k, true),
        _ => return Err(not_found()),
    };
    let kind = Kind::parse(kind).map_err(|_| not_found())?;
    let req = request(kind, &p)?;
    let mut tx = state
        .db
        .tenant_read_only(&scope)
        .await
        .map_err(|e| internal(ctx.request_id(), &e))?;
    tx.set_request_id(ctx.request_id());
    if let Some(season) = req.season {
        soi_db::program::seasons::get(&mut tx, season)
            .await
            .map_err(|e| match e {
                soi_db::Error::NotFound(_) => failure(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    "no such season in your city",
                ),
                e => internal(ctx.request_id(), &e),
            })?;
    }
    let city = soi_db::cities::by_id(&mut tx, scope.city())
        .await
        .map_err(|e| internal(ctx.request_id(), &e))?;
    let (out, rx) = mpsc::channel::<Chunk>(CHANNEL);
    let request_id = ctx.request_id().to_owned();
    tokio::spawn(async move {
        let done = if xlsx {
            xlsx_body(tx, req, out.clone()).await
        } else {
            csv_body(tx, req, out.clone()).await
        };
        if let Err(e) = done {
            tracing::error!(request_id, error = %e, "export failed");
            // The client sees a broken transfer rather than a short file.
            let _ = out.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let (ext, mime) = if xlsx {
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    } else {
        ("csv", "text/csv; charset=utf-8")
    };
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let name = format!(
        "attachment; filename=\"{}-{}.{ext}\"",
        city.slug,
        kind.code()
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

fn not_found() -> Refusal {
    failure(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "exports are participants, attendance, applications, ledger and audit, as .csv or .xlsx",
    )
}

fn request(kind: Kind, p: &Params) -> Result<Request, Refusal> {
    let date = |field: &str, v: &Option<String>| {
        v.as_deref()
            .map(|s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| bad(format!("{field}: give a date as YYYY-MM-DD")))
            })
            .transpose()
    };
    let season = p
        .season
        .as_deref()
        .map(|s| uuid::Uuid::parse_str(s).map(SeasonId::from))
        .transpose()
        .map_err(|_| bad("season: not a season id"))?;
    let language = p
        .language
        .as_deref()
        .map_or(Ok(Language::En), Language::parse)
        .map_err(|_| bad("language: must be en, ru or kk"))?;
    Request::new(
        kind,
        season,
        date("from", &p.from)?,
        date("to", &p.to)?,
        language,
    )
    .map_err(|e| bad(e.to_string()))
}

/// CSV into the body as it is written.
async fn csv_body(
    mut tx: TenantTx,
    req: Request,
    out: mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut sink = BodySink {
        csv: CsvSink::new(Vec::new())?,
        out,
    };
    exports::export(&mut tx, &req, &mut sink).await?;
    tx.commit().await?;
    Ok(())
}

/// XLSX to a temp file in constant-memory mode, then the file into the body.
async fn xlsx_body(
    mut tx: TenantTx,
    req: Request,
    out: mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let file = tempfile::NamedTempFile::new()?;
    let mut sink = XlsxSink::create(file.path())?;
    exports::export(&mut tx, &req, &mut sink).await?;
    tx.commit().await?;
    // Zipping is CPU work: off the async threads.
    tokio::task::spawn_blocking(move || sink.finish())
        .await
        .map_err(|e| ExportError::Io(std::io::Error::other(e)))??;
    let mut f = tokio::fs::File::open(file.path()).await?;
    loop {
        let mut buf = vec![0; 64 * 1024];
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        buf.truncate(n);
        out.send(Ok(Bytes::from(buf)))
            .await
            .map_err(|_| ExportError::Closed)?;
    }
}

/// A CSV sink whose bytes go to the response body at each drain.
struct BodySink {
    csv: CsvSink<Vec<u8>>,
    out: mpsc::Sender<Chunk>,
}

impl Sink for BodySink {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        self.csv.row(cells)
    }

    async fn drain(&mut self) -> Result<(), ExportError> {
        let bytes = self.csv.take_bytes()?;
        if bytes.is_empty() {
            return Ok(());
        }
        self.out
            .send(Ok(Bytes::from(bytes)))
            .await
            .map_err(|_| ExportError::Closed)
    }
}
