//! Answers as the client gets them: JSON bodies, typed errors outside
//! execution, and the answer of one operation (run now, or kept bytes).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soi_graphql::ErrorCode;
use soi_graphql::reports::Spliced;

pub(super) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// A GraphQL error response outside execution (bad JSON, wrong method).
pub(super) fn failure(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (status, axum::Json(body)).into_response()
}

pub(super) fn wants_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE))
}

/// An answer to one operation: run now, or the bytes of an answer kept in
/// the response cache.
pub(super) enum Answer {
    Ran(async_graphql::Response),
    /// Run, with the answers to splice into its JSON.
    Spliced(async_graphql::Response, Spliced),
    Kept(Vec<u8>),
}

impl Answer {
    /// The first error's `extensions.code` if it is one of `ErrorCode`'s
    /// (a span attribute takes a known code or `OTHER`, never a client's
    /// text); `None` without errors (a kept answer never has any).
    pub(super) fn error_code(&self) -> Option<&'static str> {
        let (Self::Ran(r) | Self::Spliced(r, _)) = self else {
            return None;
        };
        let first = r.errors.first()?;
        let code = first
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.as_str()),
                async_graphql::Value::Enum(e) => Some(e.as_str()),
                _ => None,
            });
        let known = |c: &str| ErrorCode::ALL.iter().map(|k| k.as_str()).find(|k| *k == c);
        Some(code.and_then(known).unwrap_or("OTHER"))
    }

    /// The answer as JSON bytes.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Kept(body) => body,
            Self::Ran(r) => {
                let body = serde_json::to_vec(&r).unwrap_or_else(|_| not_encoded());
                if body.len() >= LARGE {
                    free_aside(r);
                }
                body
            }
            Self::Spliced(r, spliced) => {
                let body = spliced.encode(&r).unwrap_or_else(|_| not_encoded());
                if body.len() >= LARGE {
                    free_aside(r);
                }
                body
            }
        }
    }
}

/// A response is plain JSON values; should it not encode, it says so typed.
fn not_encoded() -> Vec<u8> {
    br#"{"errors":[{"message":"the answer could not be encoded","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
}

/// An encoded answer this large may have come from a tree of values that takes
/// milliseconds to free (a national report by season at 2,000 cities holds
/// about 150,000): it is freed off the request's path.
const LARGE: usize = 256 * 1024;

fn free_aside(r: async_graphql::Response) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn_blocking(move || drop(r));
        }
        Err(_) => drop(r),
    }
}

/// A JSON body as an HTTP response.
pub(super) fn json_body(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A refusal before execution, with its code.
pub(super) fn refuse(message: String, code: ErrorCode) -> async_graphql::Response {
    let mut error = async_graphql::ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    async_graphql::Response::from_errors(vec![error])
}
