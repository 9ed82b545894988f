//! `soi config`: the effective configuration, one setting a line, secrets
//! redacted and URLs without their credentials.

use super::Config;
use secrecy::{ExposeSecret, SecretString};

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

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let db = self.db();
        writeln!(f, "DATABASE_URL                 [redacted]")?;
        writeln!(
            f,
            "SOI_OWNER_DATABASE_URL       {}",
            if db.owner_url.is_some() {
                "[redacted]"
            } else {
                "(DATABASE_URL)"
            }
        )?;
        writeln!(
            f,
            "SOI_DB_ALLOW_PRIVILEGED_LOGIN {}",
            match db.privileged_login {
                soi_db::PrivilegedLogin::Refuse => "false (refused)",
                soi_db::PrivilegedLogin::Warn => "warn",
            }
        )?;
        writeln!(f, "SOI_DB_MAX_CONNECTIONS       {}", db.max_connections)?;
        writeln!(f, "SOI_DB_MIN_CONNECTIONS       {}", db.min_connections)?;
        writeln!(
            f,
            "SOI_DB_STATEMENT_TIMEOUT_MS  {}",
            db.statement_timeout.as_millis()
        )?;
        writeln!(
            f,
            "SOI_DB_ACQUIRE_TIMEOUT_MS    {}",
            db.acquire_timeout.as_millis()
        )?;
        writeln!(
            f,
            "REDIS_URL                    {}",
            without_credentials(&self.redis.redis_url)
        )?;
        writeln!(
            f,
            "SMTP_URL                     {}",
            without_credentials(&self.mail.smtp_url)
        )?;
        writeln!(f, "SOI_LISTEN                   {}", self.server.listen)?;
        writeln!(
            f,
            "SOI_OTEL_ENDPOINT            {}",
            self.telemetry
                .endpoint()
                .map_or_else(|| "(off)".to_owned(), without_credentials)
        )?;
        writeln!(
            f,
            "SOI_OTEL_SAMPLE_RATIO        {}",
            self.telemetry.otel_sample_ratio
        )?;
        let stop = self.shutdown();
        writeln!(
            f,
            "SOI_SHUTDOWN_*               drain {}s timeout {}s",
            stop.drain.as_secs(),
            stop.timeout.as_secs()
        )?;
        writeln!(
            f,
            "SOI_TRUSTED_PROXIES          {}",
            self.server.trusted_proxies.describe()
        )?;
        writeln!(
            f,
            "SOI_JWT_SECRET               {}",
            if self.auth.jwt_secret.is_none() {
                "(random per process)"
            } else {
                "[redacted]"
            }
        )?;
        writeln!(
            f,
            "SOI_PAYMENT_WEBHOOK_SECRET   {}",
            if self.auth.payment_webhook_secret.is_some() {
                "[redacted]"
            } else {
                "(unset: webhook off)"
            }
        )?;
        writeln!(
            f,
            "SOI_METRICS_TOKEN            {}",
            if self.auth.metrics_token.is_some() {
                "[redacted]"
            } else {
                "(unset: /metrics for this host only)"
            }
        )?;
        match &self.unsubscribe() {
            Some(links) => {
                writeln!(f, "SOI_UNSUBSCRIBE_SECRET       [redacted]")?;
                writeln!(f, "SOI_PUBLIC_URL               {}", links.base_url())?;
            }
            None => writeln!(
                f,
                "SOI_UNSUBSCRIBE_SECRET       (unset: no unsubscribe links)"
            )?,
        }
        writeln!(
            f,
            "SOI_ACCESS_TOKEN_TTL_SECS    {}",
            self.auth.access_token_ttl_secs
        )?;
        writeln!(
            f,
            "SOI_REFRESH_TOKEN_TTL_DAYS   {}",
            self.auth.refresh_token_ttl_days
        )?;
        writeln!(
            f,
            "SOI_SESSION_CHECK_SECS       {}",
            self.auth.session_check_secs
        )?;
        writeln!(
            f,
            "SOI_ANONYMOUS_INTROSPECTION  {}",
            self.server.anonymous_introspection
        )?;
        writeln!(
            f,
            "SOI_WEB_DIR                  {}",
            self.server
                .web_dir
                .as_deref()
                .map_or_else(|| "(web/dist)".into(), |d| d.display().to_string())
        )?;
        let m = &self.mail_worker();
        writeln!(
            f,
            "SOI_WORKER_IN_SERVE          {}",
            self.mail.worker_in_serve
        )?;
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
        let p = &self.privacy;
        writeln!(
            f,
            "SOI_ERASURE_GRACE_DAYS       {}\n\
             SOI_RETENTION_*              applicants {}d participants {}d schedule {}s",
            p.erasure_grace_days,
            p.retention_applicant_days,
            p.retention_participant_days,
            p.retention_schedule_secs
        )?;
        let l = &self.gql_limits();
        let apq = self.apq();
        write!(
            f,
            "SOI_GQL_MAX_*                depth {} complexity {} aliases {} root fields {} batch {} suggestions {}\n\
             SOI_RATE_LIMITS              {}\n\
             SOI_APQ_*                    ttl {} s, max query {} bytes, max entries {}, stores per client {}/min",
            l.depth,
            l.complexity,
            l.aliases,
            l.root_fields,
            l.batch,
            l.suggestions,
            if l.rate_limits { "on" } else { "off" },
            apq.ttl.as_secs(),
            apq.max_query_bytes,
            apq.max_entries,
            l.apq_stores_per_minute
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
