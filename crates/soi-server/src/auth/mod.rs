//! Who is asking, for every route that takes a bearer token (GraphQL over
//! HTTP, the report downloads, exports) and for WebSocket connections: the
//! token must verify (HS256 with our key, not expired) and its session must
//! still hold (see [`sessions`]: a disabled account, another role or a new
//! password ends it within seconds). Identity is resolved here, once per
//! request; no handler reads the `Authorization` header itself.

mod sessions;

pub use sessions::{CHECK_EVERY, Ended, SessionCheck};

use crate::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soi_auth::Session;
use soi_graphql::ErrorCode;

/// Why a request that sent a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// `UNAUTHENTICATED` (401): the token is malformed, expired, forged or
    /// foreign, or its session was revoked. One answer for all of them.
    Unauthenticated,
    /// `INTERNAL` (503): the session could not be checked (PostgreSQL did
    /// not answer). Refused rather than let through.
    Unavailable,
}

impl From<Ended> for Refused {
    fn from(e: Ended) -> Self {
        match e {
            Ended::Revoked => Self::Unauthenticated,
            Ended::Unchecked => Self::Unavailable,
        }
    }
}

impl Refused {
    /// The HTTP status, `extensions.code` and message of the refusal.
    pub fn parts(self) -> (StatusCode, ErrorCode, &'static str) {
        match self {
            Self::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "the access token is missing, expired or not valid; sign in again",
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Internal,
                "the session could not be checked; try again shortly",
            ),
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
        let mut r = (status, axum::Json(body)).into_response();
        if self == Self::Unauthenticated {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// The session of a request: `None` without an `Authorization` header
/// (anonymous); otherwise its bearer token must verify and hold.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, Refused> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(bearer)
        .ok_or(Refused::Unauthenticated)?;
    session(state, token).await.map(|(s, _)| Some(s))
}

/// A token's session and its expiry (Unix seconds), verified and checked
/// against the account's current version.
pub async fn session(state: &AppState, token: &str) -> Result<(Session, u64), Refused> {
    let (session, expires) = state
        .keys
        .verify_session_until(token)
        .map_err(|_| Refused::Unauthenticated)?;
    state.sessions.check(&session).await?;
    Ok((session, expires))
}

/// The token of `Bearer <token>` (the scheme in any case).
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn only_a_bearer_scheme_with_a_token_is_read() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("BEARER abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }
}
