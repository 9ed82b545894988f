//! Running operations for an identified requester: the persisted-query
//! step, the anonymous-introspection rule, the national report cache, the
//! schema (whose gate applies the document limits to every transport), and
//! the metrics of each operation.

use super::respond::{
    Answer, GRAPHQL_RESPONSE, failure, json_body, refuse, wants_graphql_response,
};
use crate::AppState;
use crate::graphql::operation::PERSISTED_QUERY;
use crate::graphql::requester::request_ctx;
use async_graphql::Executor as _;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soi_graphql::{ErrorCode, RequestCtx};
use std::net::IpAddr;
use tracing::Instrument;

/// Runs one operation in its own span (the requester's city, the
/// operation's root field and kind, the error code if any: nothing a client
/// wrote but what the schema bounds) and counts it for the city.
async fn run_one(state: &AppState, ctx: RequestCtx, request: async_graphql::Request) -> Answer {
    let city = city_label(state, &ctx).await;
    // From here, as the operation's own latency is timed in `run_checked`.
    let started = std::time::Instant::now();
    let span = tracing::info_span!(
        "graphql.request",
        otel.status_code = tracing::field::Empty,
        soi.city = %city,
        graphql.operation.name = tracing::field::Empty,
        graphql.operation.type = tracing::field::Empty,
        graphql.error.code = tracing::field::Empty,
    );
    let (answer, kind) = run_checked(state, ctx, request)
        .instrument(span.clone())
        .await;
    state.metrics.cities.record(&city, kind, started.elapsed());
    if let Some(code) = answer.error_code() {
        span.record("graphql.error.code", code);
        span.record("otel.status_code", "ERROR");
    }
    answer
}

/// The city label of a request's span and per-city counters: the slug of
/// the signed-in user's city (from the verified token), `national`, or
/// `public` for requests without a token.
async fn city_label(state: &AppState, ctx: &RequestCtx) -> String {
    match ctx.principal() {
        Some(p) => match p.city() {
            Some(city) => state
                .city_names
                .slug(&state.db, city)
                .await
                .unwrap_or_else(|| city.as_uuid().to_string()),
            None => "national".to_owned(),
        },
        None => "public".to_owned(),
    }
}

/// The kind of the operation `name` of `doc`: query, mutation,
/// subscription, or unknown when the document does not say.
fn kind_of(doc: Option<&ExecutableDocument>, name: Option<&str>) -> &'static str {
    doc.and_then(|doc| soi_graphql::operations_named(doc, name).next())
        .map_or(UNKNOWN_KIND, |op| match op.node.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        })
}

const UNKNOWN_KIND: &str = "unknown";

/// Runs one operation; every error leaves with an `extensions.code`. A
/// national report query may be answered from the response cache. Returns
/// the answer and the operation's kind.
async fn run_checked(
    state: &AppState,
    ctx: RequestCtx,
    request: async_graphql::Request,
) -> (Answer, &'static str) {
    let started = std::time::Instant::now();
    let (request, pending) = match crate::apq::resolve(state.redis.as_ref(), request).await {
        crate::apq::Outcome::Run(r, pending) => (*r, pending),
        crate::apq::Outcome::Refuse(code, message) => {
            state
                .metrics
                .observe(PERSISTED_QUERY, false, started.elapsed());
            return (Answer::Ran(refuse(message, code)), UNKNOWN_KIND);
        }
    };
    // Parsed once, for the checks here and then for the gate's limits and
    // the schema's own checks, which take it as a document they parsed.
    let doc = async_graphql::parser::parse_query(&request.query).ok();
    let operation = state
        .operations
        .label(doc.as_ref(), request.operation_name.as_deref());
    let kind = kind_of(doc.as_ref(), request.operation_name.as_deref());
    let span = tracing::Span::current();
    span.record("graphql.operation.name", operation.as_str());
    span.record("graphql.operation.type", kind);
    let answer = run_parsed(state, ctx, request, doc, &operation, pending, started).await;
    (answer, kind)
}

async fn run_parsed(
    state: &AppState,
    ctx: RequestCtx,
    request: async_graphql::Request,
    doc: Option<ExecutableDocument>,
    operation: &str,
    pending: Option<crate::apq::Pending>,
    started: std::time::Instant,
) -> Answer {
    let client = ctx.client();
    let request = match precheck(state, &ctx, request, doc.as_ref()) {
        Ok(request) => request,
        Err(refused) => {
            state.metrics.observe(operation, false, started.elapsed());
            return Answer::Ran(*refused);
        }
    };
    let mut slot =
        soi_graphql::reports::national_slot(state.redis.as_ref(), &ctx, &request, doc.as_ref());
    // Reports answer their JSON straight into this response's (see `Spliced`).
    let spliced = soi_graphql::reports::Spliced::new();
    let mut request = request.data(spliced.clone());
    if let Some(slot) = &mut slot {
        if let Some(body) = slot.get(&state.db).await {
            state.metrics.observe(operation, true, started.elapsed());
            // Only answers of this very text that ran without errors are kept.
            if let Some(pending) = pending {
                crate::apq::keep(state, client, pending).await;
            }
            return Answer::Kept(body);
        }
        if let Some(version) = slot.version_read() {
            request = request.data(version);
        }
    }
    // A document that did not parse is left to the schema, whose syntax
    // error is the answer.
    if let Some(doc) = doc {
        request.set_parsed_query(doc);
    }
    let response = state
        .schema
        .execute(soi_graphql::prepare(request, ctx, &state.db))
        .await;
    let ok = response.errors.is_empty();
    state.metrics.observe(operation, ok, started.elapsed());
    if let Some(pending) = pending
        && soi_graphql::validated(&response)
    {
        crate::apq::keep(state, client, pending).await;
    }
    match slot {
        Some(slot) if ok => match spliced.encode(&response) {
            Ok(body) => {
                slot.put(&body).await;
                Answer::Kept(body)
            }
            Err(_) => Answer::Spliced(response, spliced),
        },
        _ => Answer::Spliced(response, spliced),
    }
}

/// Introspection for anonymous callers: refused, or answered null when
/// hidden behind fragments. (The document limits are the schema's gate.)
fn precheck(
    state: &AppState,
    ctx: &RequestCtx,
    mut request: async_graphql::Request,
    doc: Option<&ExecutableDocument>,
) -> Result<async_graphql::Request, Box<async_graphql::Response>> {
    if ctx.principal().is_none() && !state.anonymous_introspection {
        if doc.is_some_and(asks_introspection) {
            return Err(Box::new(refuse(
                "introspection is for signed-in users".into(),
                ErrorCode::Unauthenticated,
            )));
        }
        // Also catches introspection hidden behind fragments: it answers null.
        request = request.disable_introspection();
    }
    Ok(request)
}

/// Whether an operation selects `__schema` or `__type` at its root.
fn asks_introspection(doc: &ExecutableDocument) -> bool {
    doc.operations.iter().any(|(_, op)| {
        op.node
            .selection_set
            .node
            .items
            .iter()
            .any(|item| match &item.node {
                Selection::Field(f) => matches!(f.node.name.node.as_str(), "__schema" | "__type"),
                _ => false,
            })
    })
}

/// Executes a single request or a batch and writes the HTTP response.
pub(super) async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<IpAddr>,
    batch: async_graphql::BatchRequest,
) -> Response {
    let ctx = match request_ctx(state, headers, client).await {
        Ok(ctx) => ctx,
        // A bad or revoked token refuses the whole request, whatever it asks.
        Err(refused) => return refused.into_response(),
    };
    let mut out = match batch {
        async_graphql::BatchRequest::Single(request) => {
            json_body(run_one(state, ctx, request).await.into_bytes())
        }
        async_graphql::BatchRequest::Batch(requests) => {
            if requests.len() > state.gql_limits.batch {
                let message = format!(
                    "a batch may hold at most {} operations, this one holds {}",
                    state.gql_limits.batch,
                    requests.len()
                );
                return failure(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, &message);
            }
            // The batch's answer is the JSON array of its answers.
            let mut body = b"[".to_vec();
            for (i, request) in requests.into_iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend(run_one(state, ctx.clone(), request).await.into_bytes());
            }
            body.push(b']');
            json_body(body)
        }
    };
    if wants_graphql_response(headers) {
        out.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(GRAPHQL_RESPONSE),
        );
    }
    out
}
