//! The platform's configuration, from environment variables with local
//! defaults, validated at start-up. Secrets are `SecretString`s: `Debug` and
//! `soi config` show them as `[redacted]`.

use anyhow::{Context, Result, bail};
use secrecy::{ExposeSecret, SecretString};
use soi_db::DbConfig;
use std::net::SocketAddr;

pub struct Config {
    pub db: DbConfig,
    /// `REDIS_URL`
    pub redis_url: SecretString,
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
            ..defaults
        };
        Ok(Self {
            gql_limits,
            db,
            redis_url: redis_url.into(),
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
        writeln!(f, "SOI_ACCESS_TOKEN_TTL_SECS    {}", self.access_ttl_secs)?;
        writeln!(f, "SOI_REFRESH_TOKEN_TTL_DAYS   {}", self.refresh_ttl_days)?;
        writeln!(
            f,
            "SOI_ANONYMOUS_INTROSPECTION  {}",
            self.anonymous_introspection
        )?;
        let l = &self.gql_limits;
        write!(
            f,
            "SOI_GQL_MAX_*                depth {} complexity {} aliases {} root fields {} batch {} suggestions {}",
            l.depth, l.complexity, l.aliases, l.root_fields, l.batch, l.suggestions
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
