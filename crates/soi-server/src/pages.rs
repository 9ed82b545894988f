//! The few pages the gateway renders itself, for links in emails that must
//! work without the web app (a scanner or an old mail client opens them).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A small self-contained page; `title` and `body` are trusted HTML (the
/// callers put no client text in them unescaped).
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;max-width:520px;margin:40px auto;padding:0 16px;color:#1b2733\">\
         <h1 style=\"font-size:20px\">{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}
