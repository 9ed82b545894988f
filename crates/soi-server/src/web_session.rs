//! The dashboard's session: the refresh token kept in a cookie page scripts
//! cannot read, so a reload or an expired access token does not end the
//! session. `POST /web/session` signs in (email and password), `POST
//! /web/session/refresh` trades the cookie for a new access token (and a new
//! cookie), `POST /web/session/logout` revokes it. The cookie is httpOnly,
//! SameSite=Strict, Secure when the public URL is https, and sent to these
//! paths only. Every call must carry the `X-SOI-CSRF` header (a cross-site
//! form cannot set it; a cross-site script would need a CORS grant the
//! gateway never gives) and an `Origin` naming this host. Each runs the
//! GraphQL mutation of the same use (`login`, `refreshToken`, `logout`), so
//! rate limits, audit and revocation are the API's.

use crate::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// Where the cookie is sent: these endpoints and nothing else.
pub const PATH: &str = "/web/session";
const COOKIE: &str = "soi_refresh";
/// The header a same-origin script adds and a cross-site form cannot.
pub const CSRF_HEADER: &str = "x-soi-csrf";

/// How the refresh cookie is set.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    /// Secure (https only): when the public URL is https.
    pub secure: bool,
    /// The refresh token's lifetime.
    pub max_age_secs: i64,
}

const PAYLOAD: &str = "accessToken expiresIn refreshToken role";

#[derive(serde::Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(c): Json<Credentials>,
) -> Response {
    if !same_origin(&headers) {
        return cross_site();
    }
    let query = format!(
        "mutation($e: String!, $p: String!) {{ r: login(email: $e, password: $p) {{ {PAYLOAD} }} }}"
    );
    let vars = json!({ "e": c.email, "p": c.password });
    let answer = run(&state, &headers, peer, &query, vars).await;
    session(&state, answer)
}

pub async fn refresh(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return cross_site();
    }
    let Some(token) = cookie(&headers) else {
        // No session to resume: not an error for a page that just opened.
        return Json(json!({ "data": null })).into_response();
    };
    let query =
        format!("mutation($r: String!) {{ r: refreshToken(refreshToken: $r) {{ {PAYLOAD} }} }}");
    let answer = run(&state, &headers, peer, &query, json!({ "r": token })).await;
    session(&state, answer)
}

pub async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return cross_site();
    }
    if let Some(token) = cookie(&headers) {
        let query = "mutation($r: String!) { logout(refreshToken: $r) }";
        if let Err(body) = run(&state, &headers, peer, query, json!({ "r": token })).await {
            return with_cookie(Json(body).into_response(), clear());
        }
    }
    with_cookie(Json(json!({ "data": true })).into_response(), clear())
}

/// A same-origin script's request: the custom header, and an `Origin` that
/// names the host it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match (text(header::HOST), text(header::ORIGIN)) {
        (Some(host), Some(origin)) if headers.contains_key(CSRF_HEADER) => {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    }
}

fn cross_site() -> Response {
    let body = json!({ "errors": [{
        "message": "send this from the dashboard's own page",
        "extensions": { "code": "FORBIDDEN" },
    }] });
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

/// The refresh token the cookie holds, if any.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Runs one mutation as an anonymous requester from this client, through
/// the gateway's own path (limits, rate limits, audit, metrics, traces):
/// its result `r`, or the GraphQL answer with its errors.
async fn run(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    query: &str,
    vars: Value,
) -> Result<Value, Value> {
    let request =
        async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(vars));
    let client = state.client(peer, headers);
    let answer = crate::graphql::run_for_page(state, client, headers.get("x-request-id"), request)
        .await
        .unwrap_or_else(|| {
            json!({ "errors": [{ "message": "the answer could not be read",
                                 "extensions": { "code": "INTERNAL" } }] })
        });
    if answer.get("errors").is_some_and(|e| !e.is_null()) {
        Err(answer)
    } else {
        Ok(answer["data"]["r"].clone())
    }
}

/// The page gets the access token; the refresh token goes into the cookie.
fn session(state: &AppState, answer: Result<Value, Value>) -> Response {
    match answer {
        Ok(mut pair) => {
            let refresh = pair
                .as_object_mut()
                .and_then(|o| o.remove("refreshToken"))
                .and_then(|t| t.as_str().map(str::to_owned));
            let Some(refresh) = refresh else {
                return Json(json!({ "data": null })).into_response();
            };
            let set = set(&refresh, state.refresh_cookie);
            with_cookie(Json(json!({ "data": pair })).into_response(), set)
        }
        // A refused or used token: the cookie goes too. A passing failure
        // (rate limit, the database away) leaves the session to a retry.
        Err(body) => match body["errors"][0]["extensions"]["code"].as_str() {
            Some("RATE_LIMITED" | "INTERNAL") => no_store(Json(body).into_response()),
            _ => with_cookie(Json(body).into_response(), clear()),
        },
    }
}

fn set(token: &str, policy: CookiePolicy) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={token}; Path={PATH}; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        policy.max_age_secs
    )
}

fn clear() -> String {
    format!("{COOKIE}=; Path={PATH}; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn with_cookie(mut response: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    no_store(response)
}

/// Answers about a session are never kept by a cache.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn only_a_same_origin_request_with_the_header_passes() {
        let host = ("host", "127.0.0.1:8080");
        let ok = headers(&[
            host,
            ("origin", "http://127.0.0.1:8080"),
            (CSRF_HEADER, "1"),
        ]);
        assert!(same_origin(&ok));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://evil.example"),
            (CSRF_HEADER, "1")
        ])));
        assert!(!same_origin(&headers(&[host, (CSRF_HEADER, "1")])));
    }

    #[test]
    fn the_cookie_is_read_among_others_and_set_strictly() {
        let h = headers(&[("cookie", "a=1; soi_refresh=abc.def; b=2")]);
        assert_eq!(cookie(&h).as_deref(), Some("abc.def"));
        assert_eq!(cookie(&headers(&[("cookie", "soi_refresh=")])), None);
        let s = set(
            "t",
            CookiePolicy {
                secure: true,
                max_age_secs: 60,
            },
        );
        assert_eq!(
            s,
            "soi_refresh=t; Path=/web/session; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert!(
            !set(
                "t",
                CookiePolicy {
                    secure: false,
                    max_age_secs: 60
                }
            )
            .contains("Secure")
        );
    }
}
