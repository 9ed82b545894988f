//! The platform's configuration: one typed struct that clap fills from
//! `--flags` and environment variables (same names and defaults as always),
//! checked once at start-up by [`Config::validate`]. The library crates get
//! typed settings built from it ([`Config::db`], [`Config::mail_worker`],
//! [`Config::app`]); none of them reads the environment. Secrets are
//! `SecretString`s: `Debug` and `soi config` show them as redacted.

mod args;
mod parse;
mod show;
mod telemetry;

pub use args::{AuthArgs, DatabaseArgs, LimitsArgs, MailArgs, PrivacyArgs, RedisArgs, ServerArgs};
pub use parse::{blank_env_is_unset, one_line};
pub use telemetry::TelemetryArgs;

use anyhow::{Context, Result, bail};
use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use soi_db::DbConfig;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct Config {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub redis: RedisArgs,
    #[command(flatten)]
    pub mail: MailArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub privacy: PrivacyArgs,
    #[command(flatten)]
    pub limits: LimitsArgs,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub telemetry: TelemetryArgs,
}

/// `Some` when set, refused when shorter than `min`.
fn secret_of_length(
    name: &str,
    value: &Option<SecretString>,
    min: usize,
) -> Result<Option<SecretString>> {
    match value {
        Some(s) if s.expose_secret().len() < min => {
            bail!("{name} must be at least {min} characters")
        }
        other => Ok(other.clone()),
    }
}

fn starts_with_any(url: &SecretString, schemes: &[&str]) -> bool {
    schemes.iter().any(|s| url.expose_secret().starts_with(s))
}

impl Config {
    /// The rules types alone do not carry, with the messages they always had.
    pub fn validate(&self) -> Result<()> {
        self.db().validate()?;
        if !starts_with_any(&self.redis.redis_url, &["redis://", "rediss://"]) {
            bail!("REDIS_URL must start with redis:// or rediss://");
        }
        if !starts_with_any(&self.mail.smtp_url, &["smtp://", "smtps://"]) {
            bail!("SMTP_URL must start with smtp:// or smtps://");
        }
        secret_of_length("SOI_JWT_SECRET", &self.auth.jwt_secret, 32)?;
        i64::try_from(self.auth.refresh_token_ttl_days)
            .context("SOI_REFRESH_TOKEN_TTL_DAYS is too large")?;
        if self.auth.access_token_ttl_secs == 0
            || self.auth.refresh_token_ttl_days == 0
            || self.auth.invitation_ttl_hours == 0
            || self.auth.password_reset_ttl_minutes == 0
        {
            bail!("token lifetimes must be positive");
        }
        i64::try_from(
            self.auth
                .invitation_ttl_hours
                .max(self.auth.password_reset_ttl_minutes),
        )
        .ok()
        .filter(|v| *v < 1_000_000)
        .context("SOI_INVITATION_TTL_HOURS or SOI_PASSWORD_RESET_TTL_MINUTES is too large")?;
        secret_of_length(
            "SOI_PAYMENT_WEBHOOK_SECRET",
            &self.auth.payment_webhook_secret,
            16,
        )?;
        secret_of_length("SOI_METRICS_TOKEN", &self.auth.metrics_token, 16)?;
        let public = &self.mail.public_url;
        if !(public.starts_with("http://") || public.starts_with("https://")) {
            bail!("SOI_PUBLIC_URL must start with http:// or https://");
        }
        secret_of_length("SOI_UNSUBSCRIBE_SECRET", &self.mail.unsubscribe_secret, 16)?;
        self.privacy()?;
        self.mail_worker().validate()
    }

    /// `DATABASE_URL` and the `SOI_DB_*` settings.
    pub fn db(&self) -> DbConfig {
        let d = &self.database;
        let mut db = DbConfig::new(d.database_url.expose_secret());
        db.owner_url = d.owner_database_url.clone();
        db.max_connections = d.db_max_connections;
        db.min_connections = d.db_min_connections.min(d.db_max_connections);
        db.statement_timeout = Duration::from_millis(d.db_statement_timeout_ms);
        db.acquire_timeout = Duration::from_millis(d.db_acquire_timeout_ms);
        db.privileged_login = if self.limits.environment.as_deref() == Some("production")
            && !d.db_allow_privileged_login
        {
            soi_db::PrivilegedLogin::Refuse
        } else {
            soi_db::PrivilegedLogin::Warn
        };
        db
    }

    /// The links unsubscribable emails carry, when a secret signs them.
    pub fn unsubscribe(&self) -> Option<soi_mail::unsubscribe::Links> {
        let secret = self.mail.unsubscribe_secret.clone()?;
        Some(soi_mail::unsubscribe::Links::new(
            secret,
            &self.mail.public_url,
        ))
    }

    /// The mail worker's settings (`soi worker`, or inside `soi serve`).
    pub fn mail_worker(&self) -> soi_mail::WorkerConfig {
        let m = &self.mail;
        let mut w = soi_mail::WorkerConfig::new(m.smtp_url.clone());
        w.from = m.mail_from.clone();
        w.batch = m.mail_batch;
        w.concurrency = m.mail_concurrency;
        w.max_attempts = m.mail_max_attempts;
        w.lease = Duration::from_secs(m.mail_lease_secs);
        w.sweep_every = Duration::from_secs(m.mail_sweep_secs).max(Duration::from_secs(1));
        w.smtp_timeout = Duration::from_secs(m.mail_smtp_timeout_secs);
        w.schedule_every = Duration::from_secs(m.mail_schedule_secs).max(Duration::from_secs(1));
        w.retention = Duration::from_secs(m.mail_retention_days.saturating_mul(86_400));
        w.backoff_base = Duration::from_millis(m.mail_backoff_base_ms);
        w.backoff_max = Duration::from_millis(m.mail_backoff_max_ms);
        w.unsubscribe = self.unsubscribe();
        w.sealer = self.auth.jwt_secret.as_ref().map(soi_auth::Sealer::new);
        w
    }

    /// The personal-data periods (`SOI_ERASURE_GRACE_DAYS`, `SOI_RETENTION_*`).
    pub fn privacy(&self) -> Result<soi_service::privacy::Policy> {
        let p = &self.privacy;
        let days = |name: &str, d: u64| {
            i64::try_from(d)
                .ok()
                .filter(|d| *d <= 36_500)
                .map(chrono::Duration::days)
                .with_context(|| format!("{name} is too large (at most 36500 days)"))
        };
        Ok(soi_service::privacy::Policy {
            erasure_grace: days("SOI_ERASURE_GRACE_DAYS", p.erasure_grace_days)?,
            applicants: days("SOI_RETENTION_APPLICANT_DAYS", p.retention_applicant_days)?,
            participants: days(
                "SOI_RETENTION_PARTICIPANT_DAYS",
                p.retention_participant_days,
            )?,
        })
    }

    /// How often the retention schedule runs.
    pub fn retention_every(&self) -> Duration {
        Duration::from_secs(self.privacy.retention_schedule_secs.max(1))
    }

    /// Where invitation and reset links point and how long they work; the
    /// key that seals them must be the one the mail worker opens them with
    /// (`SOI_JWT_SECRET`), so links need it set.
    pub fn links(&self) -> Result<soi_service::auth::Links> {
        let secret = self.auth.jwt_secret.as_ref().context(
            "SOI_JWT_SECRET must be set to email invitation links (the mail worker opens them with it)",
        )?;
        let mut links =
            soi_service::auth::Links::new(soi_auth::Sealer::new(secret), &self.mail.public_url);
        links.invitation_ttl =
            chrono::Duration::hours(i64::try_from(self.auth.invitation_ttl_hours)?);
        links.reset_ttl =
            chrono::Duration::minutes(i64::try_from(self.auth.password_reset_ttl_minutes)?);
        Ok(links)
    }

    /// Per-request limits; `SOI_ENV=production` turns suggestions off.
    pub fn gql_limits(&self) -> soi_graphql::Limits {
        let l = &self.limits;
        soi_graphql::Limits {
            depth: l.gql_max_depth,
            complexity: l.gql_max_complexity,
            aliases: l.gql_max_aliases,
            root_fields: l.gql_max_root_fields,
            batch: l.gql_max_batch,
            suggestions: l.environment.as_deref() != Some("production"),
            rate_limits: l.rate_limits,
            apq_stores_per_minute: l.apq_stores_per_minute,
            ..soi_graphql::Limits::default()
        }
    }

    /// How `soi serve` stops (`SOI_SHUTDOWN_*`).
    pub fn shutdown(&self) -> soi_server::Shutdown {
        soi_server::Shutdown {
            drain: Duration::from_secs(self.server.shutdown_drain_secs),
            timeout: Duration::from_secs(self.server.shutdown_timeout_secs),
        }
    }

    /// Bounds of the persisted-query store.
    pub fn apq(&self) -> soi_cache::ApqOptions {
        let r = &self.redis;
        soi_cache::ApqOptions {
            ttl: Duration::from_secs(r.apq_ttl_secs),
            max_query_bytes: r.apq_max_query_bytes,
            max_entries: r.apq_max_entries,
        }
    }

    /// The gateway's settings as `soi serve` runs it. Without
    /// `SOI_JWT_SECRET` a random key is made here: tokens then die with the
    /// process and are not shared between gateway processes.
    pub fn app(&self) -> Result<soi_server::Settings> {
        let jwt_secret = match &self.auth.jwt_secret {
            Some(s) => s.clone(),
            None => random_key()?,
        };
        let mut s = soi_server::Settings::new(self.db(), jwt_secret.clone());
        s.redis = Some(soi_server::RedisSettings {
            url: self.redis.redis_url.clone(),
            prefix: self.redis.redis_prefix.clone(),
            // A moment for the first connection; past it the gateway starts
            // degraded and Redis joins later.
            connect_wait: Duration::from_secs(2),
        });
        s.listen = self.server.listen;
        s.auth.access_ttl_secs = self.auth.access_token_ttl_secs;
        s.auth.session_check = std::time::Duration::from_secs(self.auth.session_check_secs);
        s.auth.refresh_ttl_days = i64::try_from(self.auth.refresh_token_ttl_days)
            .context("SOI_REFRESH_TOKEN_TTL_DAYS is too large")?;
        s.gql_limits = self.gql_limits();
        s.apq = self.apq();
        s.anonymous_introspection = self.server.anonymous_introspection;
        s.web_dir = self.server.web_dir.clone();
        s.shutdown = self.shutdown();
        s.trusted_proxies = self.server.trusted_proxies.clone();
        s.payment_webhook_secret = self.auth.payment_webhook_secret.clone();
        s.metrics_token = self.auth.metrics_token.clone();
        s.unsubscribe = self.unsubscribe();
        s.sweep_every = Some(soi_server::sweeper::SWEEP_EVERY);
        s.auth.public_url = self.mail.public_url.clone();
        s.auth.invitation_ttl_hours = i64::try_from(self.auth.invitation_ttl_hours)?;
        s.auth.reset_ttl_minutes = i64::try_from(self.auth.password_reset_ttl_minutes)?;
        s.privacy = self.privacy()?;
        s.retention_every = self.mail.worker_in_serve.then(|| self.retention_every());
        s.mail_worker = self.mail.worker_in_serve.then(|| {
            let mut w = self.mail_worker();
            // With a random per-process key the in-process worker opens what
            // this gateway seals.
            w.sealer = Some(soi_auth::Sealer::new(&jwt_secret));
            w
        });
        Ok(s)
    }
}

fn random_key() -> Result<SecretString> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness for a token key: {e}"))?;
    Ok(raw
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into())
}
