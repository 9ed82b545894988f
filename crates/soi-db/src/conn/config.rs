//! Database settings, filled by the caller (`soi` reads them from its
//! configuration). URLs may hold passwords, so they are secrets: never
//! printed, and errors about them name host and port only.

use super::error::{Error, Result};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct DbConfig {
    /// `DATABASE_URL`: the runtime connection. It should log in as
    /// `soi_app` itself; another login is switched to `soi_app` with
    /// `SET ROLE`, which anything that reaches SQL could undo.
    pub url: SecretString,
    /// `SOI_OWNER_DATABASE_URL`: the owner's connection for migrations and city
    /// launch; `DATABASE_URL` when unset.
    pub owner_url: Option<SecretString>,
    /// `SOI_DB_MAX_CONNECTIONS`
    pub max_connections: u32,
    /// `SOI_DB_MIN_CONNECTIONS`: kept open and warm (the first query on a fresh
    /// backend costs tens of milliseconds while partitions are pruned).
    pub min_connections: u32,
    /// `SOI_DB_STATEMENT_TIMEOUT_MS`
    pub statement_timeout: Duration,
    /// `SOI_DB_ACQUIRE_TIMEOUT_MS`: how long a caller waits for a connection
    /// (and how long start-up waits for an unreachable server).
    pub acquire_timeout: Duration,
    /// What to do when the runtime login is privileged (a superuser, BYPASSRLS,
    /// or a role that can `SET ROLE` to one or to a table owner): refuse to
    /// start, or start and warn. `soi` refuses with `SOI_ENV=production`
    /// unless `SOI_DB_ALLOW_PRIVILEGED_LOGIN=true`.
    pub privileged_login: PrivilegedLogin,
    /// Diagnostics: have PostgreSQL send the plan of every statement back as a
    /// notice (`auto_explain`; needs a superuser URL). Used by the plan tests.
    pub explain_plans: bool,
}

/// What the runtime does when its login could leave `soi_app` for a role
/// that row-level security does not bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivilegedLogin {
    /// Refuse to start (production).
    Refuse,
    /// Start, and log a warning once (development, diagnostics).
    Warn,
}

impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &"[redacted]")
            .field("max_connections", &self.max_connections)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

impl DbConfig {
    /// Local defaults around one URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: SecretString::from(url.into()),
            owner_url: None,
            max_connections: 16,
            min_connections: 2,
            statement_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            explain_plans: false,
            privileged_login: PrivilegedLogin::Warn,
        }
    }

    /// Parses both URLs, so a malformed one fails at start-up.
    pub fn validate(&self) -> Result<()> {
        self.runtime_options()?;
        self.owner_options()?;
        Ok(())
    }

    pub(crate) fn runtime_options(&self) -> Result<PgConnectOptions> {
        parse_url("DATABASE_URL", &self.url)
    }

    pub(crate) fn owner_options(&self) -> Result<PgConnectOptions> {
        match &self.owner_url {
            Some(url) => parse_url("SOI_OWNER_DATABASE_URL", url),
            None => parse_url("DATABASE_URL", &self.url),
        }
    }
}

fn parse_url(name: &str, url: &SecretString) -> Result<PgConnectOptions> {
    let raw = url.expose_secret();
    if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
        return Err(Error::Config(format!(
            "{name} is not a PostgreSQL URL (expected postgres://user@host:port/database)"
        )));
    }
    // sqlx's parse error may quote the URL, password included: keep our own words.
    PgConnectOptions::from_str(raw)
        .map(|o| o.application_name("soi"))
        .map_err(|_| Error::Config(format!("{name} is not a valid PostgreSQL URL")))
}

/// `host:port/database` of a connection, for messages (never the password).
pub(crate) fn describe(o: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or(o.get_username())
    )
}
