//! Sending one rendered email over pooled SMTP sessions, and telling a
//! failure worth retrying from one that is final.

use crate::smtp_pool::{Security, Server, SmtpPool};
use crate::templates::Rendered;
use anyhow::{Context, Result};
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::extension::ClientId;
use secrecy::{ExposeSecret, SecretString};
use soi_core::EmailId;
use std::sync::Arc;
use std::time::Duration;

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// A 5xx answer or a message that cannot be built: trying again cannot help.
    pub permanent: bool,
    /// For the outbox row (it may quote the address; never logged).
    pub detail: String,
}

/// The SMTP side of the worker: a pooled transport and the sender.
#[derive(Clone)]
pub struct Mailer {
    pool: Arc<SmtpPool>,
    from: Mailbox,
    domain: String,
}

impl Mailer {
    /// From `smtp://host:port` (no TLS, for the local sink),
    /// `smtp://host:port?tls=required` (STARTTLS) or `smtps://host:port`
    /// (TLS), with optional `user:password@`. `connections` is the pool size.
    pub fn new(
        smtp_url: &SecretString,
        from: &str,
        timeout: Duration,
        connections: u32,
    ) -> Result<Self> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("SOI_MAIL_FROM is not a mail address: '{from}'"))?;
        let domain = from.email.domain().to_owned();
        let server = server(smtp_url, ClientId::Domain(domain.clone()), timeout)?;
        Ok(Self {
            pool: Arc::new(SmtpPool::new(server, connections)),
            from,
            domain,
        })
    }

    /// The Message-ID of an outbox message: the same on every attempt, so a
    /// receiver can drop a copy sent twice (a crash between send and mark).
    pub fn message_id(&self, id: EmailId) -> String {
        format!("<{id}@{}>", self.domain)
    }

    /// Sends; returns the server's answer ("250 2.0.0 OK …").
    pub async fn send(&self, id: EmailId, to: &str, mail: &Rendered) -> Result<String, SendError> {
        self.send_listed(id, to, mail, None).await
    }

    /// Sends with `List-Unsubscribe: <url>` and the RFC 8058 one-click
    /// `List-Unsubscribe-Post` header when `unsubscribe` is given.
    pub async fn send_listed(
        &self,
        id: EmailId,
        to: &str,
        mail: &Rendered,
        unsubscribe: Option<&str>,
    ) -> Result<String, SendError> {
        let to: Mailbox = to.parse().map_err(|_| SendError {
            permanent: true,
            detail: "the recipient is not a valid mail address".into(),
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(self.message_id(id)))
            .header(ContentLanguage(mail.language.code()));
        if let Some(url) = unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError {
                permanent: true,
                detail: format!("cannot build the message: {e}"),
            })?;
        let answer = self
            .pool
            .send(message.envelope(), &message.formatted())
            .await?;
        Ok(format!(
            "{} {}",
            answer.code(),
            answer.message().collect::<Vec<_>>().join(" ")
        ))
    }
}

/// Reads `SMTP_URL` as lettre does: `smtp://` (port 25) plain, with
/// `?tls=required` or `?tls=opportunistic` STARTTLS (port 587), `smtps://`
/// TLS (port 465), `user:password@` percent-encoded. Errors never quote the
/// URL, which may hold the password.
fn server(smtp_url: &SecretString, hello: ClientId, timeout: Duration) -> Result<Server> {
    let invalid = || anyhow::anyhow!("SMTP_URL is not a valid smtp:// or smtps:// URL");
    let url = url::Url::parse(smtp_url.expose_secret()).map_err(|_| invalid())?;
    let host = url.host_str().ok_or_else(invalid)?.to_owned();
    let tls_mode = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let tls = || {
        TlsParameters::new(host.clone())
            .map_err(|_| anyhow::anyhow!("SMTP_URL: cannot set up TLS for its host"))
    };
    let (port, security) = match (url.scheme(), tls_mode.as_deref()) {
        ("smtp", None) => (25, Security::Plain),
        ("smtp", Some("required")) => (587, Security::StartTls(tls()?)),
        ("smtp", Some("opportunistic")) => (587, Security::Opportunistic(tls()?)),
        ("smtps", _) => (465, Security::Implicit(tls()?)),
        _ => return Err(invalid()),
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = url
        .password()
        .map(|password| Credentials::new(decode(url.username()), decode(password)));
    Ok(Server {
        port: url.port().unwrap_or(port),
        host,
        security,
        credentials,
        hello,
        timeout,
    })
}

/// An error and its causes on one line.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// `Content-Language`, so clients pick the right fonts and hyphenation.
#[derive(Debug, Clone)]
struct ContentLanguage(&'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s {
            "kk" => Ok(Self("kk")),
            "ru" => Ok(Self("ru")),
            "en" => Ok(Self("en")),
            _ => Err("unknown language".into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

/// `List-Unsubscribe: <https://…/unsubscribe?t=…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail
/// clients may unsubscribe with one POST to the link, without a page.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
