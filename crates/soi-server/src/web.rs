//! The web dashboard's pages: `/` and `/assets/…`, read from a folder built by
//! `npm run build` in `web/` (`web/dist`; `SOI_WEB_DIR` names another), so
//! `cargo build` never needs Node.js. Files are read per request: a rebuilt
//! dashboard is served without a restart. Every answer here carries the
//! security headers below; a missing build answers 503 saying how to make it.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

/// Scripts and styles from this origin only (no inline scripts), data from
/// `/graphql` on this origin, never framed. `style-src-attr 'unsafe-inline'`
/// because ECharts positions its tooltip and legend markers with style
/// attributes; no inline `<style>` or script is allowed. Fonts may be `data:`
/// URLs: GraphiQL's stylesheet embeds its fonts that way.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

const NOT_BUILT: &str = "The web dashboard is not built.\n\n\
    Build it with `npm ci && npm run build` in web/ (deploy/dev up and deploy/dev test do),\n\
    or point SOI_WEB_DIR at a folder holding its index.html.\n\
    GraphQL is served at /graphql either way.\n";

/// Where the built dashboard lives.
#[derive(Clone, Debug)]
pub struct WebDir(Arc<PathBuf>);

impl WebDir {
    /// `dir` when given, else [`default_dir`].
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self(Arc::new(dir.unwrap_or_else(default_dir)))
    }

    pub fn path(&self) -> &FsPath {
        &self.0
    }
}

/// `web/dist` under the working directory when it exists, else beside the
/// binary or up to three folders above it (`target/release/soi` in a
/// checkout), else `web/dist` (which then answers 503 until built).
pub fn default_dir() -> PathBuf {
    let relative = PathBuf::from("web").join("dist");
    if relative.join("index.html").is_file() {
        return relative;
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            let candidate = dir.join(&relative);
            if candidate.join("index.html").is_file() {
                return candidate;
            }
        }
    }
    relative
}

/// `GET /`: the dashboard's page.
pub(crate) async fn index(State(state): State<AppState>) -> Response {
    serve(state.web.path(), "index.html", "no-cache").await
}

/// `GET /assets/{file}`: the bundle's scripts, styles and fonts, whose names
/// carry a content hash, so browsers may keep them.
pub(crate) async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    if !safe_name(&file) {
        return with_headers(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n",
        );
    }
    let path = format!("assets/{file}");
    serve(
        state.web.path(),
        &path,
        "public, max-age=31536000, immutable",
    )
    .await
}

async fn serve(root: &FsPath, relative: &str, cache: &'static str) -> Response {
    if !root.join("index.html").is_file() {
        tracing::warn!(dir = %root.display(), "the web dashboard is not built");
        return with_headers(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            NOT_BUILT,
        );
    }
    match tokio::fs::read(root.join(relative)).await {
        Ok(body) => {
            let mut res = with_headers(StatusCode::OK, content_type(relative), body);
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => with_headers(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n",
        ),
        Err(e) => {
            tracing::error!(error = %e, file = relative, "cannot read a web file");
            with_headers(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8",
                "cannot read the file\n",
            )
        }
    }
}

/// One file name, no folders or dot files: nothing outside the build is reachable.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        _ => "application/octet-stream",
    }
}

fn with_headers(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let mut res = (status, body.into()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // For browsers that predate frame-ancestors.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_served() {
        assert!(safe_name("index-B1x_9a.js"));
        assert!(!safe_name("../secret"));
        assert!(!safe_name(".env"));
        assert!(!safe_name("a/b.js"));
        assert!(!safe_name("a%2Fb.js"));
        assert!(!safe_name(""));
    }
}
