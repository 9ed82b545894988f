//! GraphQL over HTTP. POST takes `application/json` (answers in JSON, or in
//! `application/graphql-response+json` when asked); GET runs queries only,
//! never mutations, and shows GraphiQL to a browser. Other content types: 415.

use crate::AppState;
use crate::auth::{Refused, authenticate};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use soi_graphql::{ErrorCode, RequestCtx};
use std::net::{IpAddr, SocketAddr};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

/// The client's address for rate limits: the TCP peer, or — when the peer
/// is a proxy on this host (loopback) — the last address it appended to
/// `X-Forwarded-For`. A remote peer cannot choose its address this way.
pub(crate) fn client_address(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if !peer.ip().is_loopback() {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer.ip())
}

/// A GraphQL error response outside execution (bad JSON, wrong method).
fn failure(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, axum::Json(body)).into_response()
}

fn wants_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE))
}

/// Who asks: anonymous without an `Authorization` header; otherwise the
/// bearer token must verify and its session hold ([`crate::auth`]).
pub(crate) async fn request_ctx(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<IpAddr>,
) -> Result<RequestCtx, Refused> {
    let id = request_id(headers);
    let ctx = match authenticate(state, headers).await? {
        Some(session) => RequestCtx::signed_in(session.principal, id),
        None => RequestCtx::anonymous(id),
    };
    Ok(ctx.with_client(client))
}

/// An answer to one operation: run now, or the bytes of an answer kept in
/// the response cache.
enum Answer {
    Ran(async_graphql::Response),
    Kept(Vec<u8>),
}

impl Answer {
    /// The answer as JSON bytes.
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Kept(body) => body,
            Self::Ran(r) => serde_json::to_vec(&r).unwrap_or_else(|_| {
                // A response is plain JSON values; should it not encode, say so typed.
                br#"{"errors":[{"message":"the answer could not be encoded","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
            }),
        }
    }
}

/// A JSON body as an HTTP response.
fn json_body(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Runs one operation for an identified requester; every error leaves with
/// an `extensions.code`. A national report query may be answered from the
/// response cache.
async fn run_one(state: &AppState, ctx: RequestCtx, request: async_graphql::Request) -> Answer {
    let started = std::time::Instant::now();
    let city = metric_city(&ctx);
    let request = match crate::apq::resolve(state.redis.as_ref(), request).await {
        crate::apq::Outcome::Run(r) => *r,
        crate::apq::Outcome::Refuse(code, message) => {
            state
                .metrics
                .observe("persisted_query", &city, false, started.elapsed());
            return Answer::Ran(refuse(message, code));
        }
    };
    // Parsed once for every check below (async-graphql parses again to run it).
    let doc = async_graphql::parser::parse_query(&request.query).ok();
    let operation = root_field(doc.as_ref(), request.operation_name.as_deref());
    let request = match precheck(state, &ctx, request, doc.as_ref()) {
        Ok(request) => request,
        Err(refused) => {
            state
                .metrics
                .observe(&operation, &city, false, started.elapsed());
            return Answer::Ran(*refused);
        }
    };
    let mut slot =
        soi_graphql::reports::national_slot(state.redis.as_ref(), &ctx, &request, doc.as_ref());
    let mut request = request;
    if let Some(slot) = &mut slot {
        if let Some(body) = slot.get(&state.db).await {
            state
                .metrics
                .observe(&operation, &city, true, started.elapsed());
            return Answer::Kept(body);
        }
        if let Some(version) = slot.version_read() {
            request = request.data(version);
        }
    }
    let response = run_checked(state, ctx, request).await;
    let ok = response.errors.is_empty();
    state
        .metrics
        .observe(&operation, &city, ok, started.elapsed());
    match slot {
        Some(slot) if ok => match serde_json::to_vec(&response) {
            Ok(body) => {
                slot.put(&body).await;
                Answer::Kept(body)
            }
            Err(_) => Answer::Ran(response),
        },
        _ => Answer::Ran(response),
    }
}

fn refuse(message: String, code: ErrorCode) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(message, None)])
        .extension_code(code)
}

/// The city label of a request's metrics: the signed-in user's city id,
/// `national`, or `public` for requests without a token.
fn metric_city(ctx: &RequestCtx) -> String {
    match ctx.principal() {
        Some(p) => p
            .city()
            .map_or_else(|| "national".to_owned(), |c| c.as_uuid().to_string()),
        None => "public".to_owned(),
    }
}

/// The first root field of the operation to run: a schema name, so the
/// metric's label values are bounded by the schema, not by clients.
fn root_field(doc: Option<&ExecutableDocument>, operation_name: Option<&str>) -> String {
    let Some(doc) = doc else {
        return "unparsable".to_owned();
    };
    soi_graphql::operations_named(doc, operation_name)
        .next()
        .and_then(|op| {
            op.node
                .selection_set
                .node
                .items
                .iter()
                .find_map(|i| match &i.node {
                    Selection::Field(f) => Some(f.node.name.node.to_string()),
                    _ => None,
                })
        })
        .filter(|name| {
            name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .unwrap_or_else(|| "other".to_owned())
}

/// Checks an operation before it runs: the document limits, and
/// introspection for anonymous callers (refused, or answered null when
/// hidden behind fragments).
fn precheck(
    state: &AppState,
    ctx: &RequestCtx,
    mut request: async_graphql::Request,
    doc: Option<&ExecutableDocument>,
) -> Result<async_graphql::Request, Box<async_graphql::Response>> {
    // An unparsable query is left to async-graphql, which reports the syntax error.
    if let Some(doc) = doc
        && let Some(breach) = soi_graphql::check_document(doc, &state.gql_limits)
    {
        return Err(Box::new(refuse(breach, ErrorCode::BadUserInput)));
    }
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

/// Runs one operation that passed [`precheck`].
async fn run_checked(
    state: &AppState,
    ctx: RequestCtx,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let mut response = state
        .schema
        .execute(soi_graphql::prepare(request, ctx, &state.db))
        .await;
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            // Resolvers always set a code; an error without one comes from
            // parsing, validation or the limits (no path), or from a bug.
            // Arguments that fail to coerce (a number past Int, a bad scalar
            // in a variable) are reported at their field, with a path, in
            // async-graphql's fixed wording; they are still bad input.
            let coercion = error.message.starts_with("Failed to parse")
                || error.message.starts_with("Invalid value for argument");
            let code = if error.path.is_empty() || coercion {
                ErrorCode::BadUserInput
            } else {
                ErrorCode::Internal
            };
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code.as_str());
        }
    }
    response
}

/// Sets `extensions.code` on every error of a response built here.
trait WithCode {
    fn extension_code(self, code: ErrorCode) -> Self;
}

impl WithCode for async_graphql::Response {
    fn extension_code(mut self, code: ErrorCode) -> Self {
        for e in &mut self.errors {
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", code.as_str());
        }
        self
    }
}

/// Executes a single request or a batch and writes the HTTP response.
async fn execute(
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

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send GraphQL requests as application/json",
        );
    }
    let request: async_graphql::BatchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the body is not a GraphQL request in JSON",
            );
        }
    };
    execute(
        &state,
        &headers,
        Some(client_address(peer, &headers)),
        request,
    )
    .await
}

pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        if browser {
            return Html(
                GraphiQLSource::build()
                    .endpoint("/graphql")
                    .subscription_endpoint("/graphql/ws")
                    .finish(),
            )
            .into_response();
        }
        return failure(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "no query given",
        );
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "malformed query string",
            );
        }
    };
    // A hash-only request is resolved first, so the rule below sees the
    // stored operation too.
    let request = match crate::apq::resolve(state.redis.as_ref(), request).await {
        crate::apq::Outcome::Run(r) => *r,
        crate::apq::Outcome::Refuse(code, message) => {
            return axum::Json(refuse(message, code)).into_response();
        }
    };
    // GET may be cached and replayed by proxies: queries only.
    if let Ok(doc) = async_graphql::parser::parse_query(&request.query) {
        let mutation = doc.operations.iter().any(|(name, op)| {
            op.node.ty != OperationType::Query
                && (request.operation_name.is_none()
                    || request.operation_name.as_deref() == name.map(|n| n.as_str()))
        });
        if mutation {
            let mut r = failure(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadUserInput,
                "mutations and subscriptions must be sent with POST",
            );
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return r;
        }
    }
    execute(
        &state,
        &headers,
        Some(client_address(peer, &headers)),
        async_graphql::BatchRequest::Single(request),
    )
    .await
}
