//! GraphQL over HTTP. POST takes `application/json` (answers in JSON, or in
//! `application/graphql-response+json` when asked); GET runs queries only,
//! never mutations, and sends a browser to the GraphiQL that the gateway serves
//! from the web build (`/#graphiql`: built from npm, nothing from a CDN). Other
//! content types: 415.

mod operation;
mod requester;
mod respond;
mod run;

pub use operation::Operations;
pub(crate) use requester::request_ctx;

use crate::AppState;
use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use respond::{failure, refuse};
use run::execute;
use soi_graphql::ErrorCode;
use std::net::SocketAddr;

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
        Some(state.client(peer, &headers)),
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
            // The bundled GraphiQL, under the dashboard's CSP; a page built
            // here would load GraphiQL and React from a CDN.
            return Redirect::to("/#graphiql").into_response();
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
    // A hash-only request is looked up first, so the rule below sees the
    // stored operation too (a hash sent with its query is kept, if at all,
    // only after it ran).
    let request = match crate::apq::lookup(state.redis.as_ref(), request).await {
        Ok(r) => r,
        Err((code, message)) => {
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
        Some(state.client(peer, &headers)),
        async_graphql::BatchRequest::Single(request),
    )
    .await
}

/// Runs one operation for a page the gateway renders (a link from an
/// email): anonymous, from `client`, under the request's id, with the same
/// limits, audit, rate limits and live updates as `/graphql`. The JSON
/// answer, or `None` if it could not be read.
pub(crate) async fn run_for_page(
    state: &AppState,
    client: std::net::IpAddr,
    request_id: Option<&HeaderValue>,
    request: async_graphql::Request,
) -> Option<serde_json::Value> {
    let mut headers = HeaderMap::new();
    if let Some(id) = request_id {
        headers.insert("x-request-id", id.clone());
    }
    let batch = async_graphql::BatchRequest::Single(request);
    let response = execute(state, &headers, Some(client), batch).await;
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .ok()?;
    serde_json::from_slice(&body).ok()
}
