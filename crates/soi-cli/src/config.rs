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
        Ok(Self {
            db,
            redis_url: redis_url.into(),
            smtp_url: smtp_url.into(),
            listen,
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
        write!(f, "SOI_LISTEN                   {}", self.listen)
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
