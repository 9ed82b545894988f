//! The platform's configuration, from environment variables with local
//! defaults, validated at start-up. Secrets are `SecretString`s: `Debug` and
//! `soi config` show them as `[redacted]`.

use anyhow::{Context, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use soi_db::DbConfig;
use std::net::SocketAddr;
use std::time::Duration;

pub struct Config {
    pub db: DbConfig,
    /// `REDIS_URL`
    pub redis_url: SecretString,
    /// First part of every Redis key (`SOI_REDIS_PREFIX`): deployments sharing
    /// one Redis keep apart by it.
    pub redis_prefix: String,
    /// `SMTP_URL`
    pub smtp_url: SecretString,
    /// `SOI_LISTEN` (host:port)
    pub listen: SocketAddr,
    /// `SOI_JWT_SECRET`: signs access tokens (HS256), at least 32 bytes. When
    /// unset a random one is made at start: tokens then die with the process
    /// and are not shared between gateway processes.
    pub jwt_secret: SecretString,
    pub jwt_secret_generated: bool,
    /// `SOI_ACCESS_TOKEN_TTL_SECS`
    pub access_ttl_secs: u64,
    /// `SOI_REFRESH_TOKEN_TTL_DAYS`
    pub refresh_ttl_days: i64,
    /// `SOI_ANONYMOUS_INTROSPECTION=true` lets anonymous clients introspect.
    pub anonymous_introspection: bool,
    /// `SOI_GQL_MAX_DEPTH`, `_COMPLEXITY`, `_ALIASES`, `_ROOT_FIELDS`, `_BATCH`;
    /// `SOI_ENV=production` turns field suggestions off.
    pub gql_limits: soi_graphql::Limits,
    /// `SOI_WORKER_IN_SERVE=true`: `soi serve` also runs the mail worker.
    pub worker_in_serve: bool,
    /// `SOI_MAIL_*`: the mail worker (`soi worker`, or inside `soi serve`).
    pub mail: soi_mail::WorkerConfig,
    /// `SOI_PAYMENT_WEBHOOK_SECRET`: verifies payment providers' notifications
    /// (HMAC-SHA256, at least 16 characters). Unset: the webhook answers 503.
    pub payment_webhook_secret: Option<SecretString>,
    /// `SOI_METRICS_TOKEN` (at least 16 characters): the bearer token
    /// `/metrics` asks for; unset, only this host's direct requests are served.
    pub metrics_token: Option<SecretString>,
    /// `SOI_UNSUBSCRIBE_SECRET` (at least 16 characters) signs the unsubscribe
    /// links of reminders and announcements; `SOI_PUBLIC_URL` (default
    /// http://127.0.0.1:8080) is where they point. Unset: no links, and
    /// `/unsubscribe` answers 503.
    pub unsubscribe: Option<soi_mail::unsubscribe::Links>,
}

/// `scheme://host:port/...` with any `user:password@` replaced by `[redacted]@`.
fn without_credentials(url: &SecretString) -> String {
    let raw = url.expose_secret();
    match (raw.split_once("://"), raw.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("{scheme}://[redacted]@{host}")
        }
        _ => raw.to_owned(),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Self> {
        let db = DbConfig::from_env()?;
        let listen_raw = var("SOI_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_raw.parse().with_context(|| {
            format!("SOI_LISTEN must be host:port, e.g. 127.0.0.1:8080, got '{listen_raw}'")
        })?;
        let redis_url = var("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());
        let redis_prefix = var("SOI_REDIS_PREFIX").unwrap_or_else(|| "soi".into());
        if redis_prefix.is_empty()
            || redis_prefix.len() > 40
            || !redis_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("SOI_REDIS_PREFIX must be 1–40 letters, digits, '-' or '_'");
        }
        if !(redis_url.starts_with("redis://") || redis_url.starts_with("rediss://")) {
            bail!("REDIS_URL must start with redis:// or rediss://");
        }
        let smtp_url = var("SMTP_URL").unwrap_or_else(|| "smtp://127.0.0.1:2525".into());
        if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
            bail!("SMTP_URL must start with smtp:// or smtps://");
        }
        let (jwt_secret, jwt_secret_generated) = match var("SOI_JWT_SECRET") {
            Some(s) if s.len() >= 32 => (s, false),
            Some(_) => bail!("SOI_JWT_SECRET must be at least 32 characters"),
            None => {
                let mut raw = [0u8; 32];
                getrandom::fill(&mut raw)
                    .map_err(|e| anyhow::anyhow!("no randomness for a token key: {e}"))?;
                (raw.iter().map(|b| format!("{b:02x}")).collect(), true)
            }
        };
        let number = |name: &str, default: u64| -> Result<u64> {
            var(name).map_or(Ok(default), |v| {
                v.trim()
                    .parse()
                    .with_context(|| format!("{name} must be a whole number"))
            })
        };
        let access_ttl_secs = number("SOI_ACCESS_TOKEN_TTL_SECS", 900)?;
        let refresh_ttl_days = i64::try_from(number("SOI_REFRESH_TOKEN_TTL_DAYS", 30)?)
            .context("SOI_REFRESH_TOKEN_TTL_DAYS is too large")?;
        if access_ttl_secs == 0 || refresh_ttl_days == 0 {
            bail!("token lifetimes must be positive");
        }
        let payment_webhook_secret = match var("SOI_PAYMENT_WEBHOOK_SECRET") {
            Some(s) if s.len() >= 16 => Some(SecretString::from(s)),
            Some(_) => bail!("SOI_PAYMENT_WEBHOOK_SECRET must be at least 16 characters"),
            None => None,
        };
        let metrics_token = match var("SOI_METRICS_TOKEN") {
            Some(s) if s.len() >= 16 => Some(SecretString::from(s)),
            Some(_) => bail!("SOI_METRICS_TOKEN must be at least 16 characters"),
            None => None,
        };
        let defaults = soi_graphql::Limits::default();
        let limit = |name: &str, default: usize| -> Result<usize> {
            let v = number(name, default as u64)?;
            if v == 0 {
                bail!("{name} must be at least 1");
            }
            usize::try_from(v).with_context(|| format!("{name} is too large"))
        };
        let gql_limits = soi_graphql::Limits {
            depth: limit("SOI_GQL_MAX_DEPTH", defaults.depth)?,
            complexity: limit("SOI_GQL_MAX_COMPLEXITY", defaults.complexity)?,
            aliases: limit("SOI_GQL_MAX_ALIASES", defaults.aliases)?,
            root_fields: limit("SOI_GQL_MAX_ROOT_FIELDS", defaults.root_fields)?,
            batch: limit("SOI_GQL_MAX_BATCH", defaults.batch)?,
            suggestions: var("SOI_ENV").is_none_or(|e| e != "production"),
            rate_limits: match var("SOI_RATE_LIMITS").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => bail!("SOI_RATE_LIMITS must be on or off, not '{other}'"),
            },
            ..defaults
        };
        let mut mail = mail_config(&smtp_url, number)?;
        let public_url = var("SOI_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("SOI_PUBLIC_URL must start with http:// or https://");
        }
        let unsubscribe = match var("SOI_UNSUBSCRIBE_SECRET") {
            Some(s) if s.len() >= 16 => Some(soi_mail::unsubscribe::Links::new(
                SecretString::from(s),
                &public_url,
            )),
            Some(_) => bail!("SOI_UNSUBSCRIBE_SECRET must be at least 16 characters"),
            None => None,
        };
        mail.unsubscribe = unsubscribe.clone();
        Ok(Self {
            worker_in_serve: var("SOI_WORKER_IN_SERVE").is_some_and(|v| v == "true" || v == "1"),
            mail,
            gql_limits,
            payment_webhook_secret,
            metrics_token,
            unsubscribe,
            db,
            redis_url: redis_url.into(),
            redis_prefix,
            smtp_url: smtp_url.into(),
            listen,
            jwt_secret: jwt_secret.into(),
            jwt_secret_generated,
            access_ttl_secs,
            refresh_ttl_days,
            anonymous_introspection: var("SOI_ANONYMOUS_INTROSPECTION")
                .is_some_and(|v| v == "true" || v == "1"),
        })
    }
}

/// The mail worker's settings: `SOI_MAIL_*` over the defaults.
fn mail_config(
    smtp_url: &str,
    number: impl Fn(&str, u64) -> Result<u64>,
) -> Result<soi_mail::WorkerConfig> {
    let mut mail = soi_mail::WorkerConfig::new(smtp_url.to_owned().into());
    if let Some(from) = var("SOI_MAIL_FROM") {
        mail.from = from;
    }
    let whole = |name: &str, default: u32| -> Result<u32> {
        u32::try_from(number(name, u64::from(default))?)
            .with_context(|| format!("{name} is too large"))
    };
    mail.batch = whole("SOI_MAIL_BATCH", mail.batch)?;
    mail.concurrency = whole("SOI_MAIL_CONCURRENCY", mail.concurrency)?;
    mail.max_attempts = whole("SOI_MAIL_MAX_ATTEMPTS", mail.max_attempts)?;
    let secs = |name: &str, default: Duration| -> Result<Duration> {
        Ok(Duration::from_secs(number(name, default.as_secs())?))
    };
    let millis = |name: &str, default: Duration| -> Result<Duration> {
        let default = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
        Ok(Duration::from_millis(number(name, default)?))
    };
    mail.lease = secs("SOI_MAIL_LEASE_SECS", mail.lease)?;
    mail.sweep_every = secs("SOI_MAIL_SWEEP_SECS", mail.sweep_every)?.max(Duration::from_secs(1));
    mail.smtp_timeout = secs("SOI_MAIL_SMTP_TIMEOUT_SECS", mail.smtp_timeout)?;
    mail.schedule_every =
        secs("SOI_MAIL_SCHEDULE_SECS", mail.schedule_every)?.max(Duration::from_secs(1));
    let days = number("SOI_MAIL_RETENTION_DAYS", mail.retention.as_secs() / 86_400)?;
    if days == 0 {
        bail!("SOI_MAIL_RETENTION_DAYS must be at least 1");
    }
    mail.retention = Duration::from_secs(days.saturating_mul(86_400));
    mail.backoff_base = millis("SOI_MAIL_BACKOFF_BASE_MS", mail.backoff_base)?;
    mail.backoff_max = millis("SOI_MAIL_BACKOFF_MAX_MS", mail.backoff_max)?;
    mail.validate()?;
    Ok(mail)
}

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "DATABASE_URL                 [redacted]")?;
        writeln!(
            f,
            "SOI_OWNER_DATABASE_URL       {}",
            if self.db.owner_url.is_some() {
                "[redacted]"
            } else {
                "(DATABASE_URL)"
            }
        )?;
        writeln!(
            f,
            "SOI_DB_MAX_CONNECTIONS       {}",
            self.db.max_connections
        )?;
        writeln!(
            f,
            "SOI_DB_MIN_CONNECTIONS       {}",
            self.db.min_connections
        )?;
        writeln!(
            f,
            "SOI_DB_STATEMENT_TIMEOUT_MS  {}",
            self.db.statement_timeout.as_millis()
        )?;
        writeln!(
            f,
            "SOI_DB_ACQUIRE_TIMEOUT_MS    {}",
            self.db.acquire_timeout.as_millis()
        )?;
        writeln!(
            f,
            "REDIS_URL                    {}",
            without_credentials(&self.redis_url)
        )?;
        writeln!(
            f,
            "SMTP_URL                     {}",
            without_credentials(&self.smtp_url)
        )?;
        writeln!(f, "SOI_LISTEN                   {}", self.listen)?;
        writeln!(
            f,
            "SOI_JWT_SECRET               {}",
            if self.jwt_secret_generated {
                "(random per process)"
            } else {
                "[redacted]"
            }
        )?;
        writeln!(
            f,
            "SOI_PAYMENT_WEBHOOK_SECRET   {}",
            if self.payment_webhook_secret.is_some() {
                "[redacted]"
            } else {
                "(unset: webhook off)"
            }
        )?;
        writeln!(
            f,
            "SOI_METRICS_TOKEN            {}",
            if self.metrics_token.is_some() {
                "[redacted]"
            } else {
                "(unset: /metrics for this host only)"
            }
        )?;
        match &self.unsubscribe {
            Some(links) => {
                writeln!(f, "SOI_UNSUBSCRIBE_SECRET       [redacted]")?;
                writeln!(f, "SOI_PUBLIC_URL               {}", links.base_url())?;
            }
            None => writeln!(
                f,
                "SOI_UNSUBSCRIBE_SECRET       (unset: no unsubscribe links)"
            )?,
        }
        writeln!(f, "SOI_ACCESS_TOKEN_TTL_SECS    {}", self.access_ttl_secs)?;
        writeln!(f, "SOI_REFRESH_TOKEN_TTL_DAYS   {}", self.refresh_ttl_days)?;
        writeln!(
            f,
            "SOI_ANONYMOUS_INTROSPECTION  {}",
            self.anonymous_introspection
        )?;
        let m = &self.mail;
        writeln!(f, "SOI_WORKER_IN_SERVE          {}", self.worker_in_serve)?;
        writeln!(f, "SOI_MAIL_FROM                {}", m.from)?;
        writeln!(
            f,
            "SOI_MAIL_*                   batch {} concurrency {} lease {}s max attempts {} \
             backoff {}ms..{}ms sweep {}s SMTP timeout {}s schedule {}s retention {}d",
            m.batch,
            m.concurrency,
            m.lease.as_secs(),
            m.max_attempts,
            m.backoff_base.as_millis(),
            m.backoff_max.as_millis(),
            m.sweep_every.as_secs(),
            m.smtp_timeout.as_secs(),
            m.schedule_every.as_secs(),
            m.retention.as_secs() / 86_400
        )?;
        let l = &self.gql_limits;
        write!(
            f,
            "SOI_GQL_MAX_*                depth {} complexity {} aliases {} root fields {} batch {} suggestions {}\n\
             SOI_RATE_LIMITS              {}",
            l.depth,
            l.complexity,
            l.aliases,
            l.root_fields,
            l.batch,
            l.suggestions,
            if l.rate_limits { "on" } else { "off" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        let shown = without_credentials(&SecretString::from(
            "smtp://user:hunter2@mail.example.kz:587",
        ));
        assert_eq!(shown, "smtp://[redacted]@mail.example.kz:587");
        assert_eq!(
            without_credentials(&SecretString::from("redis://127.0.0.1:6379")),
            "redis://127.0.0.1:6379"
        );
    }
}
