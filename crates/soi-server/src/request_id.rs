//! The request id every log line, error and audit row of a request carries.
//! A client may send its own in `x-request-id` (a proxy's trace id, say),
//! and it is kept only when it is 1–64 characters of `[A-Za-z0-9._-]`:
//! anything else (too long for the audit column, or made to look like
//! another request's id in logs) is dropped and the gateway makes a new
//! one, before anything reads it.

use axum::extract::Request;
use axum::http::HeaderMap;

/// The header both ways (set by the gateway when missing, echoed back).
pub const HEADER: &str = "x-request-id";
/// Longest id kept from a client.
pub const MAX_LEN: usize = 64;

/// Whether a client's id may stand as the request's id.
pub fn acceptable(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops every `x-request-id` unless there is exactly one and it is
/// [`acceptable`]; the layer after it then makes a fresh id.
pub async fn sanitize(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let mut sent = headers.get_all(HEADER).iter();
    let keep = matches!((sent.next(), sent.next()), (Some(v), None) if acceptable(v.as_bytes()));
    if !keep {
        headers.remove(HEADER);
    }
    request
}

/// The request's id, as [`sanitize`] and the id layer left it.
pub fn of(headers: &HeaderMap) -> String {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v.as_bytes()))
        .unwrap_or("-")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(acceptable(b"a1B2.c3_d4-e5"));
        assert!(acceptable(&[b'x'; 64]));
        assert!(!acceptable(&[b'x'; 65]));
        assert!(!acceptable(b""));
        assert!(!acceptable(b"id with spaces"));
        assert!(!acceptable(b"id\"};drop"));
        assert!(!acceptable("ид".as_bytes()));
    }
}
