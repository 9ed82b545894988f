//! SMTP sessions kept open between messages, each socket with TCP_NODELAY.
//!
//! Why not lettre's own pool: its sockets keep Nagle's algorithm on, and it
//! writes a message's body and the closing `\r\n.\r\n` as two writes. The
//! second waits until the server acknowledges the first, and a server
//! delays that ACK by up to 40 ms on Linux: one connection then sends about
//! 20 messages a second whatever the server could take. With NODELAY the
//! same connection is limited by the server's own answers (docs/benchmarks.md,
//! "Mail"). lettre's connection, codec, TLS and AUTH are still used as they are.

use crate::mailer::SendError;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
// lettre marks `AsyncNetworkStream` deprecated ("not meant to be public")
// but it is the one way to put lettre's own TLS over a socket we opened.
#[allow(deprecated)]
use lettre::transport::smtp::client::AsyncNetworkStream;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_util::compat::{Compat, FuturesAsyncReadCompatExt};

/// An idle session older than this is closed rather than reused: servers
/// drop quiet clients (RFC 5321 asks them to wait 5 minutes; many wait less).
const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// A session quiet for longer than this is checked with NOOP before reuse,
/// so a message does not fail on a session the server closed meanwhile.
const CHECK_AFTER: Duration = Duration::from_secs(5);

/// How the session is secured, from the URL (the same forms lettre reads).
#[derive(Clone)]
pub(crate) enum Security {
    /// `smtp://host:port`: plain (the local sink, a relay on the host).
    Plain,
    /// `smtp://host:port?tls=required`: STARTTLS or no session.
    StartTls(TlsParameters),
    /// `smtp://host:port?tls=opportunistic`: STARTTLS when offered.
    Opportunistic(TlsParameters),
    /// `smtps://host:port`: TLS from the first byte.
    Implicit(TlsParameters),
}

/// Where and how to connect.
#[derive(Clone)]
pub(crate) struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    pub hello: ClientId,
    /// For connecting and for each message's whole exchange.
    pub timeout: Duration,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// At most `connections` sessions at once; idle ones are reused.
pub(crate) struct SmtpPool {
    server: Server,
    idle: Mutex<Vec<Idle>>,
    permits: Semaphore,
}

impl SmtpPool {
    pub fn new(server: Server, connections: u32) -> Self {
        Self {
            server,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(connections.max(1) as usize),
        }
    }

    /// Sends one message on a pooled session. Any error closes that session
    /// (lettre marks it broken); the caller's retry opens a fresh one.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<Response, SendError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| transient("the pool is closed"))?;
        let mut conn = match self.take_idle().await {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        match tokio::time::timeout(self.server.timeout, conn.send(envelope, email)).await {
            Ok(Ok(answer)) => {
                self.put_back(conn);
                Ok(answer)
            }
            Ok(Err(e)) => Err(SendError {
                permanent: e.is_permanent(),
                detail: crate::mailer::chain(&e),
            }),
            // Cut mid-exchange: the session's state is unknown, so it is dropped.
            Err(_) => Err(transient("the SMTP server did not answer in time")),
        }
    }

    /// The freshest idle session that still answers, if any.
    async fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()?;
            let quiet = idle.since.elapsed();
            if quiet > IDLE_LIMIT {
                let mut conn = idle.conn;
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.quit()).await;
                continue;
            }
            let mut conn = idle.conn;
            if quiet < CHECK_AFTER
                || tokio::time::timeout(self.server.timeout, conn.test_connected())
                    .await
                    .unwrap_or(false)
            {
                return Some(conn);
            }
        }
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        tokio::time::timeout(self.server.timeout, open(&self.server))
            .await
            .unwrap_or_else(|_| Err(transient("connecting to the SMTP server timed out")))
    }
}

/// TCP (NODELAY), then TLS as the URL says, EHLO, STARTTLS and AUTH.
async fn open(server: &Server) -> Result<AsyncSmtpConnection, SendError> {
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(|e| transient(&format!("cannot connect to the SMTP server: {e}")))?;
    tcp.set_nodelay(true)
        .map_err(|e| transient(&format!("cannot set TCP_NODELAY: {e}")))?;
    let stream: Box<dyn AsyncTokioStream> = match &server.security {
        Security::Implicit(tls) => {
            // lettre's own TLS (its roots and settings) over our socket.
            #[allow(deprecated)]
            let mut wrapped = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
            wrapped
                .upgrade_tls(tls.clone())
                .await
                .map_err(lettre_error)?;
            Box::new(Secured(wrapped.compat()))
        }
        _ => Box::new(tcp),
    };
    let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &server.hello)
        .await
        .map_err(lettre_error)?;
    match &server.security {
        Security::StartTls(tls) => conn
            .starttls(tls.clone(), &server.hello)
            .await
            .map_err(lettre_error)?,
        Security::Opportunistic(tls) if conn.can_starttls() => conn
            .starttls(tls.clone(), &server.hello)
            .await
            .map_err(lettre_error)?,
        _ => {}
    }
    if let Some(credentials) = &server.credentials {
        conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
            .await
            .map_err(lettre_error)?;
    }
    Ok(conn)
}

fn transient(detail: &str) -> SendError {
    SendError {
        permanent: false,
        detail: detail.to_owned(),
    }
}

fn lettre_error(e: lettre::transport::smtp::Error) -> SendError {
    SendError {
        permanent: e.is_permanent(),
        detail: crate::mailer::chain(&e),
    }
}

/// An implicit-TLS stream, back in tokio's I/O traits for lettre.
#[allow(deprecated)]
struct Secured(Compat<AsyncNetworkStream>);

impl std::fmt::Debug for Secured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secured")
    }
}

impl AsyncRead for Secured {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Secured {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Secured {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.get_ref().peer_addr()
    }
}
