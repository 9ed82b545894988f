//! The settings of each area, as clap reads them: a `--flag` or its
//! environment variable, else the default. Values are typed here; rules that
//! span fields or concern secrets are checked in `mod.rs`. URLs and secrets
//! are `SecretString`s whose values never appear in help or errors.

use super::parse::{at_least_one, listen, on_off, redis_prefix, truthy, whole};
use clap::{ArgAction, Args};
use secrecy::SecretString;
use soi_graphql::Limits;
use std::net::SocketAddr;

/// The defaults live with the crates that use them.
fn db_default() -> soi_db::DbConfig {
    soi_db::DbConfig::new(DEFAULT_DATABASE_URL)
}
fn mail_default() -> soi_mail::WorkerConfig {
    soi_mail::WorkerConfig::new(SecretString::from(DEFAULT_SMTP_URL))
}
fn privacy_default() -> soi_service::privacy::Policy {
    soi_service::privacy::Policy::default()
}
fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/soi";
pub const DEFAULT_SMTP_URL: &str = "smtp://127.0.0.1:2525";

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Database")]
pub struct DatabaseArgs {
    /// The runtime connection; every connection acts as `soi_app` (log in as soi_app).
    #[arg(long = "database-url", env = "DATABASE_URL", value_name = "URL",
          default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: SecretString,
    /// The owner's connection for migrations and city launch (default: DATABASE_URL).
    #[arg(
        long = "owner-database-url",
        env = "SOI_OWNER_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub owner_database_url: Option<SecretString>,
    /// Pool size.
    #[arg(long, env = "SOI_DB_MAX_CONNECTIONS", value_name = "N",
          default_value_t = db_default().max_connections, value_parser = at_least_one::<u32>)]
    pub db_max_connections: u32,
    /// Connections kept open and warm (at most the pool size).
    #[arg(long, env = "SOI_DB_MIN_CONNECTIONS", value_name = "N",
          default_value_t = db_default().min_connections, value_parser = whole::<u32>)]
    pub db_min_connections: u32,
    /// PostgreSQL `statement_timeout` of the runtime role.
    #[arg(long, env = "SOI_DB_STATEMENT_TIMEOUT_MS", value_name = "MS",
          default_value_t = millis(db_default().statement_timeout), value_parser = whole::<u64>)]
    pub db_statement_timeout_ms: u64,
    /// Wait for a pooled connection (and for the server at start).
    #[arg(long, env = "SOI_DB_ACQUIRE_TIMEOUT_MS", value_name = "MS",
          default_value_t = millis(db_default().acquire_timeout), value_parser = whole::<u64>)]
    pub db_acquire_timeout_ms: u64,
    /// With SOI_ENV=production, start even when DATABASE_URL logs in as a
    /// privileged role rather than as soi_app (true or 1); elsewhere that only warns.
    #[arg(long, env = "SOI_DB_ALLOW_PRIVILEGED_LOGIN", value_name = "BOOL", default_value = "false",
          num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set,
          value_parser = truthy)]
    pub db_allow_privileged_login: bool,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Redis")]
pub struct RedisArgs {
    /// Cache, rate limits, persisted queries, pub/sub (redis:// or rediss://).
    #[arg(
        long = "redis-url",
        env = "REDIS_URL",
        value_name = "URL",
        default_value = "redis://127.0.0.1:6379",
        hide_env_values = true
    )]
    pub redis_url: SecretString,
    /// First part of every Redis key: deployments sharing one Redis keep apart by it.
    #[arg(long = "redis-prefix", env = "SOI_REDIS_PREFIX", value_name = "PREFIX",
          default_value = "soi", value_parser = redis_prefix)]
    pub redis_prefix: String,
    /// How long a persisted query stays after its last registration.
    #[arg(long, env = "SOI_APQ_TTL_SECS", value_name = "SECS",
          default_value_t = soi_cache::ApqOptions::default().ttl.as_secs(), value_parser = at_least_one::<u64>)]
    pub apq_ttl_secs: u64,
    /// Largest query text kept as a persisted query (larger ones run unstored).
    #[arg(long, env = "SOI_APQ_MAX_QUERY_BYTES", value_name = "BYTES",
          default_value_t = soi_cache::ApqOptions::default().max_query_bytes, value_parser = at_least_one::<usize>)]
    pub apq_max_query_bytes: usize,
    /// Most distinct persisted queries kept at once (new ones run unstored past it).
    #[arg(long, env = "SOI_APQ_MAX_ENTRIES", value_name = "N",
          default_value_t = soi_cache::ApqOptions::default().max_entries, value_parser = at_least_one::<u32>)]
    pub apq_max_entries: u32,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Mail")]
pub struct MailArgs {
    /// Outgoing mail: smtp:// (STARTTLS with ?tls=required) or smtps://.
    #[arg(long = "smtp-url", env = "SMTP_URL", value_name = "URL",
          default_value = DEFAULT_SMTP_URL, hide_env_values = true)]
    pub smtp_url: SecretString,
    /// The sender; its domain also names Message-IDs.
    #[arg(long, env = "SOI_MAIL_FROM", value_name = "ADDRESS", default_value_t = mail_default().from)]
    pub mail_from: String,
    /// `soi serve` also runs the mail worker (true or 1).
    #[arg(long, env = "SOI_WORKER_IN_SERVE", value_name = "BOOL", default_value = "false",
          num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set,
          value_parser = truthy)]
    pub worker_in_serve: bool,
    /// Messages claimed at once in a city.
    #[arg(long, env = "SOI_MAIL_BATCH", value_name = "N",
          default_value_t = mail_default().batch, value_parser = whole::<u32>)]
    pub mail_batch: u32,
    /// Sends at once (and pooled SMTP connections).
    #[arg(long, env = "SOI_MAIL_CONCURRENCY", value_name = "N",
          default_value_t = mail_default().concurrency, value_parser = whole::<u32>)]
    pub mail_concurrency: u32,
    /// A message still failing after this many attempts is parked.
    #[arg(long, env = "SOI_MAIL_MAX_ATTEMPTS", value_name = "N",
          default_value_t = mail_default().max_attempts, value_parser = whole::<u32>)]
    pub mail_max_attempts: u32,
    /// How long a claim holds (must outlast a batch at the SMTP timeout).
    #[arg(long, env = "SOI_MAIL_LEASE_SECS", value_name = "SECS",
          default_value_t = mail_default().lease.as_secs(), value_parser = whole::<u64>)]
    pub mail_lease_secs: u64,
    /// Wait after attempt n: base·2^(n−1), at most the max, less up to half at random.
    #[arg(long, env = "SOI_MAIL_BACKOFF_BASE_MS", value_name = "MS",
          default_value_t = millis(mail_default().backoff_base), value_parser = whole::<u64>)]
    pub mail_backoff_base_ms: u64,
    #[arg(long, env = "SOI_MAIL_BACKOFF_MAX_MS", value_name = "MS",
          default_value_t = millis(mail_default().backoff_max), value_parser = whole::<u64>)]
    pub mail_backoff_max_ms: u64,
    /// How often every city is looked at (at least 1).
    #[arg(long, env = "SOI_MAIL_SWEEP_SECS", value_name = "SECS",
          default_value_t = mail_default().sweep_every.as_secs(), value_parser = whole::<u64>)]
    pub mail_sweep_secs: u64,
    /// One SMTP exchange at most.
    #[arg(long, env = "SOI_MAIL_SMTP_TIMEOUT_SECS", value_name = "SECS",
          default_value_t = mail_default().smtp_timeout.as_secs(), value_parser = whole::<u64>)]
    pub mail_smtp_timeout_secs: u64,
    /// How often reminders and certificate notices are looked for (at least 1).
    #[arg(long, env = "SOI_MAIL_SCHEDULE_SECS", value_name = "SECS",
          default_value_t = mail_default().schedule_every.as_secs(), value_parser = whole::<u64>)]
    pub mail_schedule_secs: u64,
    /// Sent emails older than this are deleted (their personal data with them).
    #[arg(long, env = "SOI_MAIL_RETENTION_DAYS", value_name = "DAYS",
          default_value_t = mail_default().retention.as_secs() / 86_400,
          value_parser = at_least_one::<u64>)]
    pub mail_retention_days: u64,
    /// Signs one-click unsubscribe links (16+ characters); unset: no links.
    #[arg(
        long,
        env = "SOI_UNSUBSCRIBE_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub unsubscribe_secret: Option<SecretString>,
    /// Base of the links in emails (`/unsubscribe`).
    #[arg(
        long,
        env = "SOI_PUBLIC_URL",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Authentication")]
pub struct AuthArgs {
    /// HS256 key of access tokens (32+ characters); unset: random per process.
    #[arg(
        long,
        env = "SOI_JWT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<SecretString>,
    #[arg(long, env = "SOI_ACCESS_TOKEN_TTL_SECS", value_name = "SECS", default_value_t = 900,
          value_parser = whole::<u64>)]
    pub access_token_ttl_secs: u64,
    #[arg(long, env = "SOI_REFRESH_TOKEN_TTL_DAYS", value_name = "DAYS", default_value_t = 30,
          value_parser = whole::<u64>)]
    pub refresh_token_ttl_days: u64,
    /// How long an account's session version is trusted: a disabled account,
    /// a new role or password ends its sessions within this time.
    #[arg(long, env = "SOI_SESSION_CHECK_SECS", value_name = "SECS", default_value_t = 2,
          value_parser = at_least_one::<u64>)]
    pub session_check_secs: u64,
    /// How long an emailed invitation link works.
    #[arg(long, env = "SOI_INVITATION_TTL_HOURS", value_name = "HOURS", default_value_t = 72,
          value_parser = whole::<u64>)]
    pub invitation_ttl_hours: u64,
    /// How long an emailed password reset link works.
    #[arg(long, env = "SOI_PASSWORD_RESET_TTL_MINUTES", value_name = "MINUTES", default_value_t = 60,
          value_parser = whole::<u64>)]
    pub password_reset_ttl_minutes: u64,
    /// Verifies payment providers' notifications (16+ characters); unset: the webhook answers 503.
    #[arg(
        long,
        env = "SOI_PAYMENT_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub payment_webhook_secret: Option<SecretString>,
    /// The bearer token `/metrics` asks for (16+ characters); unset: this host only.
    #[arg(
        long,
        env = "SOI_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<SecretString>,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Request limits")]
pub struct LimitsArgs {
    #[arg(long, env = "SOI_GQL_MAX_DEPTH", value_name = "N",
          default_value_t = Limits::default().depth, value_parser = at_least_one::<usize>)]
    pub gql_max_depth: usize,
    #[arg(long, env = "SOI_GQL_MAX_COMPLEXITY", value_name = "N",
          default_value_t = Limits::default().complexity, value_parser = at_least_one::<usize>)]
    pub gql_max_complexity: usize,
    #[arg(long, env = "SOI_GQL_MAX_ALIASES", value_name = "N",
          default_value_t = Limits::default().aliases, value_parser = at_least_one::<usize>)]
    pub gql_max_aliases: usize,
    #[arg(long, env = "SOI_GQL_MAX_ROOT_FIELDS", value_name = "N",
          default_value_t = Limits::default().root_fields, value_parser = at_least_one::<usize>)]
    pub gql_max_root_fields: usize,
    #[arg(long, env = "SOI_GQL_MAX_BATCH", value_name = "N",
          default_value_t = Limits::default().batch, value_parser = at_least_one::<usize>)]
    pub gql_max_batch: usize,
    /// `production` turns field suggestions off.
    #[arg(long = "env", env = "SOI_ENV", value_name = "ENV")]
    pub environment: Option<String>,
    /// `off` only for load tests that send everything from one address.
    #[arg(long, env = "SOI_RATE_LIMITS", value_name = "on|off", default_value = "on",
          action = ArgAction::Set, value_parser = on_off)]
    pub rate_limits: bool,
    /// New persisted queries one client address may store per minute.
    #[arg(long, env = "SOI_APQ_STORES_PER_MINUTE", value_name = "N",
          default_value_t = Limits::default().apq_stores_per_minute, value_parser = at_least_one::<u32>)]
    pub apq_stores_per_minute: u32,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Gateway")]
pub struct ServerArgs {
    /// The gateway's address (host:port).
    #[arg(long, env = "SOI_LISTEN", value_name = "HOST:PORT", default_value = "127.0.0.1:8080",
          value_parser = listen)]
    pub listen: SocketAddr,
    /// Let clients without a token introspect (true or 1).
    #[arg(long, env = "SOI_ANONYMOUS_INTROSPECTION", value_name = "BOOL", default_value = "false",
          num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set,
          value_parser = truthy)]
    pub anonymous_introspection: bool,
    /// The built web dashboard (`npm run build` in web/); by default `web/dist`
    /// in the working directory or beside the binary.
    #[arg(long, env = "SOI_WEB_DIR", value_name = "DIR")]
    pub web_dir: Option<std::path::PathBuf>,
    /// Seconds the gateway goes on serving after SIGTERM with `/readyz`
    /// answering 503, so load balancers stop sending before it stops
    /// accepting. The default is the Kubernetes readiness probe's period ×
    /// failure threshold (5 s × 2): a prober that polls that way has seen
    /// it fail by then.
    #[arg(long, env = "SOI_SHUTDOWN_DRAIN_SECS", value_name = "SECS", default_value_t = 10,
          value_parser = whole::<u64>)]
    pub shutdown_drain_secs: u64,
    /// Seconds requests in flight (and the goodbye to WebSocket clients)
    /// get after the drain; past it they are cut. Longer than the 15 s
    /// request timeout.
    #[arg(long, env = "SOI_SHUTDOWN_TIMEOUT_SECS", value_name = "SECS", default_value_t = 20,
          value_parser = at_least_one::<u64>)]
    pub shutdown_timeout_secs: u64,
    /// Proxies whose X-Forwarded-For names the client, for per-client rate
    /// limits: comma-separated addresses and CIDR ranges. Unset: nobody's
    /// (the TCP peer is the client).
    #[arg(long, env = "SOI_TRUSTED_PROXIES", value_name = "IPS", default_value = "",
          value_parser = soi_server::TrustedProxies::parse)]
    pub trusted_proxies: soi_server::TrustedProxies,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Personal data")]
pub struct PrivacyArgs {
    /// Days from a withdrawal of consent to the erasure of the person's data.
    #[arg(long, env = "SOI_ERASURE_GRACE_DAYS", value_name = "DAYS",
          default_value_t = privacy_default().erasure_grace.num_days().unsigned_abs(),
          value_parser = whole::<u64>)]
    pub erasure_grace_days: u64,
    /// Applicants never accepted are erased this many days after their last
    /// application or its decision.
    #[arg(long, env = "SOI_RETENTION_APPLICANT_DAYS", value_name = "DAYS",
          default_value_t = privacy_default().applicants.num_days().unsigned_abs(),
          value_parser = at_least_one::<u64>)]
    pub retention_applicant_days: u64,
    /// Participants are erased this many days after the end of their last
    /// season, once all their seasons are closed.
    #[arg(long, env = "SOI_RETENTION_PARTICIPANT_DAYS", value_name = "DAYS",
          default_value_t = privacy_default().participants.num_days().unsigned_abs(),
          value_parser = at_least_one::<u64>)]
    pub retention_participant_days: u64,
    /// How often the worker erases what is due (at least 1).
    #[arg(long, env = "SOI_RETENTION_SCHEDULE_SECS", value_name = "SECS",
          default_value_t = 3600, value_parser = at_least_one::<u64>)]
    pub retention_schedule_secs: u64,
}
