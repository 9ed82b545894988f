//! The one way to build the gateway: [`App::build`] turns typed [`Settings`]
//! into a bound listener and everything a request needs (pool, Redis, token
//! keys, schema, state, router); [`App::run_until_stopped`] serves it with
//! its background tasks. `soi serve`, the tests and the benchmarks all start
//! the gateway here, so none of them assembles an [`AppState`] by hand.

use crate::background::{MailTask, RetentionTask};
use crate::sweeper::Sweeper;
use crate::{AppState, HttpLimits, Shutdown, TrustedProxies, launch};
use anyhow::{Context, Result};
use secrecy::{ExposeSecret, SecretString};
use soi_auth::TokenKeys;
use soi_db::{Db, DbConfig};
use soi_graphql::{AuthSettings, Limits, build_schema};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Everything the gateway is built from. [`Settings::new`] gives the local
/// defaults; `soi serve` fills it from its configuration.
#[derive(Clone)]
pub struct Settings {
    pub db: DbConfig,
    /// The Redis layer; `None` runs everything from PostgreSQL.
    pub redis: Option<RedisSettings>,
    /// Where to listen; port 0 picks a free port ([`App::port`] tells which).
    pub listen: SocketAddr,
    pub auth: AuthConfig,
    pub gql_limits: Limits,
    /// Bounds of the persisted-query store in Redis.
    pub apq: soi_cache::ApqOptions,
    pub http_limits: HttpLimits,
    /// Introspection for requests without a token.
    pub anonymous_introspection: bool,
    /// Verifies payment providers' notifications; `None`: the webhook answers 503.
    pub payment_webhook_secret: Option<SecretString>,
    /// The bearer token `/metrics` asks for; `None`: this host only.
    pub metrics_token: Option<SecretString>,
    /// Signs and verifies unsubscribe links; `None`: `/unsubscribe` answers 503.
    pub unsubscribe: Option<soi_mail::unsubscribe::Links>,
    /// How often lapsed ticket holds are expired; `None`: no sweeper.
    pub sweep_every: Option<Duration>,
    /// The outbox worker run beside the gateway; `None`: none.
    pub mail_worker: Option<soi_mail::WorkerConfig>,
    /// The personal-data periods (withdrawal's grace, retention).
    pub privacy: soi_service::privacy::Policy,
    /// How often the retention schedule erases what is due; `None`: never
    /// here (`soi worker` runs it, or `soi serve` beside its mail worker).
    pub retention_every: Option<Duration>,
    /// The built web dashboard; `None`: `web/dist` found by [`crate::web::default_dir`].
    pub web_dir: Option<std::path::PathBuf>,
    /// How a signal stops the gateway (drain, then finish what is in flight).
    pub shutdown: Shutdown,
    /// Proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: TrustedProxies,
}

/// The Redis layer's connection.
#[derive(Clone)]
pub struct RedisSettings {
    pub url: SecretString,
    /// First part of every key (deployments and test databases keep apart by it).
    pub prefix: String,
    /// How long start-up waits for the first connection, so counters and the
    /// cache start in Redis; past it the gateway starts degraded and Redis
    /// joins when it answers.
    pub connect_wait: Duration,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &"[redacted]")
            .field("prefix", &self.prefix)
            .field("connect_wait", &self.connect_wait)
            .finish()
    }
}

/// Access and refresh tokens.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Signs access tokens (HS256).
    pub jwt_secret: SecretString,
    pub access_ttl_secs: u64,
    pub refresh_ttl_days: i64,
    /// How long a session's version read from PostgreSQL is trusted: a
    /// disabled account or another role or password ends its sessions
    /// within this time.
    pub session_check: Duration,
    /// `SOI_PUBLIC_URL`: where invitation and password reset links point.
    pub public_url: String,
    /// `SOI_INVITATION_TTL_HOURS`: how long an invitation link works.
    pub invitation_ttl_hours: i64,
    /// `SOI_PASSWORD_RESET_TTL_MINUTES`: how long a reset link works.
    pub reset_ttl_minutes: i64,
}

impl Settings {
    /// Local defaults around a database and a token key: 127.0.0.1:0, no
    /// Redis, default limits, no optional secrets, no background tasks.
    pub fn new(db: DbConfig, jwt_secret: SecretString) -> Self {
        Self {
            db,
            redis: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth: AuthConfig {
                jwt_secret,
                access_ttl_secs: 900,
                refresh_ttl_days: 30,
                session_check: crate::auth::CHECK_EVERY,
                public_url: "http://127.0.0.1:8080".into(),
                invitation_ttl_hours: 72,
                reset_ttl_minutes: 60,
            },
            gql_limits: Limits::default(),
            apq: soi_cache::ApqOptions::default(),
            http_limits: HttpLimits::default(),
            anonymous_introspection: false,
            payment_webhook_secret: None,
            metrics_token: None,
            unsubscribe: None,
            sweep_every: None,
            mail_worker: None,
            privacy: soi_service::privacy::Policy::default(),
            retention_every: None,
            web_dir: None,
            shutdown: Shutdown::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// The gateway, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    sweep_every: Option<Duration>,
    mail: Option<soi_mail::Worker>,
    retention: Option<(soi_service::privacy::Policy, Duration)>,
    shutdown: Shutdown,
}

impl App {
    /// Connects the pool (and Redis), builds the schema and the state, binds
    /// the listener. Settings a part refuses fail here, before serving.
    #[tracing::instrument(name = "app_build", skip_all, fields(listen = %settings.listen))]
    pub async fn build(settings: Settings) -> Result<Self> {
        let db = Db::connect(&settings.db).await?;
        let redis = match &settings.redis {
            Some(r) => Some(connect_redis(r, db.identity().await?, settings.apq).await?),
            None => None,
        };
        let keys = TokenKeys::new(&settings.auth.jwt_secret, settings.auth.access_ttl_secs);
        let mut links = soi_service::auth::Links::new(
            soi_auth::Sealer::new(&settings.auth.jwt_secret),
            &settings.auth.public_url,
        );
        links.invitation_ttl = chrono::Duration::hours(settings.auth.invitation_ttl_hours);
        links.reset_ttl = chrono::Duration::minutes(settings.auth.reset_ttl_minutes);
        let auth = AuthSettings {
            keys: keys.clone(),
            refresh_ttl: chrono::Duration::days(settings.auth.refresh_ttl_days),
            links,
        };
        // Built before binding, so settings it refuses fail before any work.
        let mail = match settings.mail_worker {
            Some(mail) => Some(soi_mail::Worker::new(
                db.clone(),
                settings.db.clone(),
                mail,
            )?),
            None => None,
        };
        let schema = build_schema(
            db.clone(),
            auth,
            settings.gql_limits,
            redis.clone(),
            settings.privacy,
        );
        let state = AppState::new(crate::Shared {
            operations: crate::graphql::Operations::of(&schema),
            schema,
            sessions: crate::auth::SessionCheck::new(db.clone(), settings.auth.session_check),
            db,
            redis,
            metrics: crate::metrics::Metrics::default(),
            limits: settings.http_limits,
            keys,
            anonymous_introspection: settings.anonymous_introspection,
            gql_limits: settings.gql_limits,
            payment_webhook_secret: settings.payment_webhook_secret,
            metrics_token: settings.metrics_token,
            unsubscribe: settings.unsubscribe,
            web: crate::web::WebDir::new(settings.web_dir),
            trusted_proxies: settings.trusted_proxies,
            refresh_cookie: crate::web_session::CookiePolicy {
                secure: settings.auth.public_url.starts_with("https://"),
                max_age_secs: settings.auth.refresh_ttl_days * 86_400,
            },
            drain: crate::drain::Drain::default(),
            city_names: Default::default(),
        });
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let addr = listener.local_addr().context("no local address")?;
        Ok(Self {
            listener,
            addr,
            state,
            sweep_every: settings.sweep_every,
            mail,
            retention: settings
                .retention_every
                .map(|every| (settings.privacy, every)),
            shutdown: settings.shutdown,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The Redis layer the gateway uses, if any (its counters are shared).
    pub fn redis(&self) -> Option<&soi_cache::Redis> {
        self.state.redis.as_ref()
    }

    /// Serves with the background tasks until `shutdown` resolves, then
    /// drains (see [`Shutdown`]); the mail worker stops claiming at once,
    /// the other tasks stop, the pool closes last.
    #[tracing::instrument(name = "app_run", skip_all, fields(addr = %self.addr))]
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let db = self.state.db.clone();
        // Lapsed ticket holds go back on sale even when nobody is buying.
        let sweeper = self
            .sweep_every
            .map(|every| Sweeper::start(db.clone(), every));
        // Stopped when draining begins, not after it: its sends in flight
        // then finish within the drain, and nothing new is claimed.
        let draining = self.state.drain.begun();
        let mail = self.mail.map(|worker| MailTask::start(worker, draining));
        let retention = self
            .retention
            .map(|(policy, every)| RetentionTask::start(db.clone(), policy, every));
        let served = launch(self.listener, self.state, shutdown, self.shutdown).await;
        if let Some(mail) = mail {
            mail.stop().await;
        }
        if let Some(retention) = retention {
            retention.stop().await;
        }
        if let Some(sweeper) = sweeper {
            sweeper.stop().await;
        }
        db.close().await;
        served.context("server failed")
    }
}

/// Redis is optional at start: the layer connects in the background and the
/// gateway serves from PostgreSQL until (and whenever) it cannot.
/// Its keys live under `<prefix>:<the database's identity>:`.
async fn connect_redis(
    r: &RedisSettings,
    database: String,
    apq: soi_cache::ApqOptions,
) -> Result<soi_cache::Redis> {
    let redis = soi_cache::Redis::new(
        r.url.expose_secret(),
        soi_cache::CacheOptions {
            prefix: r.prefix.clone(),
            namespace: Some(database),
            apq,
            ..soi_cache::CacheOptions::default()
        },
    )
    .context("REDIS_URL")?;
    let started = std::time::Instant::now();
    while !redis.is_up() && started.elapsed() < r.connect_wait {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if !redis.is_up() {
        tracing::warn!("Redis is not reachable; serving from PostgreSQL until it is");
    }
    Ok(redis)
}
