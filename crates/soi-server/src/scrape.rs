//! Who may read `/metrics`. The figures hold no personal data, but they do
//! show every city's traffic and the platform's internals, so they are not
//! for the public: with `SOI_METRICS_TOKEN` set, a scraper sends it as a
//! bearer token; without it, only direct requests from this host (a
//! loopback peer, not relayed by a proxy) are served.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// The refusal of a request that may not read the metrics; `None` when it may.
pub(crate) fn refusal(
    token: Option<&SecretString>,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Option<Response> {
    match token {
        Some(token) => {
            let sent = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            // Digests compared, so the time taken says nothing about the token.
            if Sha256::digest(sent.as_bytes()) == Sha256::digest(token.expose_secret().as_bytes())
            {
                return None;
            }
            let mut r = (
                StatusCode::UNAUTHORIZED,
                "send the metrics token as a bearer token\n",
            )
                .into_response();
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Some(r)
        }
        None if peer.ip().is_loopback() && !headers.contains_key("x-forwarded-for") => None,
        None => Some((
            StatusCode::FORBIDDEN,
            "metrics are served to this host only; set SOI_METRICS_TOKEN to scrape from elsewhere\n",
        )
            .into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                *k,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    fn status(r: Option<Response>) -> StatusCode {
        r.map_or(StatusCode::OK, |r| r.status())
    }

    #[test]
    fn without_a_token_only_direct_local_requests_are_served() {
        let local: SocketAddr = ([127, 0, 0, 1], 5000).into();
        let remote: SocketAddr = ([10, 1, 2, 3], 5000).into();
        assert_eq!(status(refusal(None, local, &headers(&[]))), StatusCode::OK);
        assert_eq!(
            status(refusal(None, remote, &headers(&[]))),
            StatusCode::FORBIDDEN
        );
        // A proxy on this host relays someone else's request.
        let relayed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            status(refusal(None, local, &relayed)),
            StatusCode::FORBIDDEN
        );
    }

    #[test]
    fn with_a_token_everyone_must_send_it() {
        let token = SecretString::from("metrics-token-0123456789".to_owned());
        let remote: SocketAddr = ([10, 1, 2, 3], 5000).into();
        let local: SocketAddr = ([127, 0, 0, 1], 5000).into();
        let right = headers(&[("authorization", "Bearer metrics-token-0123456789")]);
        let wrong = headers(&[("authorization", "Bearer metrics-token-0123456788")]);
        assert_eq!(
            status(refusal(Some(&token), remote, &right)),
            StatusCode::OK
        );
        for (peer, h) in [(remote, &wrong), (local, &headers(&[])), (local, &wrong)] {
            let refused = refusal(Some(&token), peer, h).expect("refused");
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(refused.headers()[header::WWW_AUTHENTICATE], "Bearer");
        }
    }
}
