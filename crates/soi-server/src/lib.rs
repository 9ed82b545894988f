//! The HTTP gateway: `/graphql` (GraphQL over HTTP, GraphiQL for browsers),
//! `/healthz`, `/readyz`, `/metrics`, report downloads, the payment
//! provider's webhook and the web dashboard (`/`, `/assets/…`, its session
//! cookie at `/web/session`). A library built in one place, [`App::build`], so the
//! binary, the tests and the benchmarks start it the same way (tests on port 0).

// The merged query root nests one level per area; its async layout needs more.
#![recursion_limit = "256"]

mod apq;
pub mod auth;
pub mod background;
mod city_names;
pub mod city_usage;
mod confirm_application;
mod drain;
mod exports;
mod graphql;
mod health;
pub mod metrics;
mod pages;
mod personal_data;
mod proxies;
mod reports;
mod request_id;
mod scrape;
mod startup;
pub mod sweeper;
mod unsubscribe;
pub mod web;
mod web_session;
mod webhook;
mod ws;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use soi_db::Db;
use soi_graphql::SoiSchema;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use drain::Shutdown;
pub use proxies::TrustedProxies;
pub use startup::{App, AuthConfig, RedisSettings, Settings};

/// Everything a request handler needs. axum hands every request's handler
/// its own clone, so a clone is one reference count: copying the fields
/// (keys, paths, proxies, secrets) took 2–3 % of the gateway's CPU in a
/// profile of load (a) (docs/benchmarks.md).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub db: Db,
    pub schema: SoiSchema,
    /// The Redis layer (cache, persisted queries, rate limits, live
    /// updates); `None` runs everything from PostgreSQL.
    pub redis: Option<soi_cache::Redis>,
    /// Counters and latencies served at `/metrics`.
    pub metrics: metrics::Metrics,
    /// The schema's root fields: the only operation labels of the metrics.
    pub operations: graphql::Operations,
    pub limits: HttpLimits,
    /// Verifies bearer tokens.
    pub keys: soi_auth::TokenKeys,
    /// Ends sessions whose account was disabled or changed (see [`auth`]).
    pub sessions: auth::SessionCheck,
    /// Introspection for requests without a token (off unless configured).
    pub anonymous_introspection: bool,
    /// Aliases, root fields and batch size allowed per request, and the
    /// persisted-query store rate per client.
    pub gql_limits: soi_graphql::Limits,
    /// Verifies payment providers' notifications (HMAC-SHA256); the webhook
    /// answers 503 without it.
    pub payment_webhook_secret: Option<secrecy::SecretString>,
    /// The bearer token `/metrics` asks for (`SOI_METRICS_TOKEN`); without
    /// it, only direct requests from this host are served.
    pub metrics_token: Option<secrecy::SecretString>,
    /// Verifies unsubscribe links (`SOI_UNSUBSCRIBE_SECRET`); `/unsubscribe`
    /// answers 503 without it.
    pub unsubscribe: Option<soi_mail::unsubscribe::Links>,
    /// The built web dashboard served at `/`.
    pub web: web::WebDir,
    /// Whose `X-Forwarded-For` names the client (`SOI_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// How the dashboard's refresh cookie is set (see [`web_session`]).
    pub refresh_cookie: web_session::CookiePolicy,
    /// Whether the gateway is stopping (readiness, connections, sockets).
    pub(crate) drain: drain::Drain,
    /// City slugs by id, for spans and per-city metrics.
    pub(crate) city_names: city_names::CityNames,
}

impl AppState {
    /// The client's address for rate limits: the TCP peer, or what a
    /// trusted proxy says it relayed for (see [`TrustedProxies::client`]).
    pub(crate) fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        self.trusted_proxies.client(peer.ip(), headers)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest request body accepted (bytes); larger ones get 413.
    pub body_bytes: usize,
    /// Longest a request may take; slower ones get 408.
    pub timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            timeout: Duration::from_secs(15),
        }
    }
}

pub(crate) fn router(state: AppState) -> Router {
    let limits = state.limits;
    let drain = state.drain.clone();
    let quiet = state.drain.clone();
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/", get(web::index))
        .route("/assets/{file}", get(web::asset))
        .route(web_session::PATH, axum::routing::post(web_session::sign_in))
        .route("/web/session/refresh", axum::routing::post(web_session::refresh))
        .route("/web/session/logout", axum::routing::post(web_session::logout))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/reports/{file}", get(reports::download))
        .route("/exports/{file}", get(exports::download))
        .route("/personal-data/{file}", get(personal_data::download))
        .route(
            "/webhooks/payments/{city}",
            axum::routing::post(webhook::payment),
        )
        .route(
            "/confirm-application/{city}",
            get(confirm_application::show).post(confirm_application::confirm),
        )
        .route(
            "/unsubscribe",
            get(unsubscribe::show).post(unsubscribe::confirm),
        )
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        // Outside the two above, so their 408 and 413 close the connection too.
        .layer(axum::middleware::map_response_with_state(
            drain,
            drain::close_connections,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = request_id::of(req.headers());
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }).on_failure(drain::log_failures(quiet)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // Outermost: a client's id that is not short and plain is dropped
        // before the layer above sets one, so nothing sees it.
        .layer(axum::middleware::map_request(request_id::sanitize))
}

/// Serves until `shutdown` resolves, then drains and stops as `plan` says
/// (see [`drain`]): nothing in flight is cut within its timeout.
pub(crate) async fn launch(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    plan: Shutdown,
) -> std::io::Result<()> {
    let drain = state.drain.clone();
    // The peer address feeds per-client rate limits.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stop_accepting, accepting) = tokio::sync::oneshot::channel::<()>();
    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = accepting.await;
    });
    drain::serve_until(serve, stop_accepting, shutdown, drain, plan).await
}
