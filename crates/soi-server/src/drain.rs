//! Stopping without losing a request (rolling restarts). On the signal the
//! gateway first *drains*: `/readyz` answers 503 at once, while requests are
//! served as before for [`Shutdown::drain`], so every balancer that polls
//! readiness takes it out of rotation before it stops accepting; each
//! response of that period asks its client to close the connection, so no
//! keep-alive connection is left idle here when the listener closes. Then
//! it stops accepting, lets the requests in flight finish, and closes live
//! WebSocket subscriptions with 1001 "going away", so their clients
//! reconnect to another gateway. All of this within [`Shutdown::timeout`].

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::trace::{DefaultOnFailure, OnFailure};

/// How the gateway stops (`SOI_SHUTDOWN_DRAIN_SECS`, `SOI_SHUTDOWN_TIMEOUT_SECS`).
#[derive(Debug, Clone, Copy)]
pub struct Shutdown {
    /// How long it goes on serving with readiness failing.
    pub drain: Duration,
    /// How long requests in flight and subscriptions get after that.
    pub timeout: Duration,
}

impl Default for Shutdown {
    /// No drain (nothing balances in front of a gateway run in-process);
    /// `soi serve` sets one. The timeout outlasts the request timeout, so
    /// no request that could still succeed is cut.
    fn default() -> Self {
        Self {
            drain: Duration::ZERO,
            timeout: crate::HttpLimits::default().timeout + Duration::from_secs(5),
        }
    }
}

/// The gateway's stopping state, shared by readiness, the router and every
/// WebSocket connection.
#[derive(Clone)]
pub struct Drain(Arc<Inner>);

struct Inner {
    draining: watch::Sender<bool>,
    /// Every live WebSocket holds a receiver: `true` tells it to leave, and
    /// the count of receivers says when all have.
    leave: watch::Sender<bool>,
}

impl Default for Drain {
    fn default() -> Self {
        Self(Arc::new(Inner {
            draining: watch::Sender::new(false),
            leave: watch::Sender::new(false),
        }))
    }
}

impl Drain {
    pub(crate) fn is_draining(&self) -> bool {
        *self.0.draining.borrow()
    }

    /// Resolves once draining has begun (work beside the gateway, like the
    /// mail worker, stops claiming then, not after the drain).
    pub(crate) fn begun(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut draining = self.0.draining.subscribe();
        async move {
            let _ = draining.wait_for(|d| *d).await;
        }
    }

    /// A WebSocket's ticket: keep it while the connection lives; it turns
    /// `true` when the connection should close.
    pub(crate) fn socket(&self) -> watch::Receiver<bool> {
        self.0.leave.subscribe()
    }

    /// Tells every WebSocket to leave and waits until all have.
    async fn close_sockets(&self) {
        self.0.leave.send_replace(true);
        self.0.leave.closed().await;
    }
}

/// While draining, every response but a protocol switch carries
/// `Connection: close`: the client opens its next connection afresh, and a
/// balancer sends that one to a gateway that is ready. A 408 or 413 always
/// does: the rest of that request's body was never read, so the connection
/// cannot carry another request.
pub(crate) async fn close_connections(State(drain): State<Drain>, mut res: Response) -> Response {
    let unread_body = matches!(
        res.status(),
        StatusCode::REQUEST_TIMEOUT | StatusCode::PAYLOAD_TOO_LARGE
    );
    if unread_body || (drain.is_draining() && res.status() != StatusCode::SWITCHING_PROTOCOLS) {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// Logs failed responses as the trace layer always did, except a draining
/// gateway's 503s: its readiness answers, expected at every stop.
pub(crate) fn log_failures(drain: Drain) -> impl OnFailure<ServerErrorsFailureClass> + Clone {
    move |failure: ServerErrorsFailureClass, latency: Duration, span: &tracing::Span| {
        let unavailable = matches!(failure, ServerErrorsFailureClass::StatusCode(s)
            if s == StatusCode::SERVICE_UNAVAILABLE);
        if unavailable && drain.is_draining() {
            tracing::debug!(parent: span, "503 while draining");
        } else {
            DefaultOnFailure::default().on_failure(failure, latency, span);
        }
    }
}

/// Runs `serve` (which stops accepting when `stop_accepting` is sent) until
/// `signal`, then stops as the module says. Errors are the server's own.
pub(crate) async fn serve_until<S>(
    serve: S,
    stop_accepting: tokio::sync::oneshot::Sender<()>,
    signal: impl Future<Output = ()>,
    drain: Drain,
    plan: Shutdown,
) -> std::io::Result<()>
where
    S: IntoFuture<Output = std::io::Result<()>>,
{
    let server = serve.into_future();
    tokio::pin!(server);
    tokio::select! {
        served = &mut server => return served,
        () = signal => {}
    }
    tracing::info!(
        drain_secs = plan.drain.as_secs(),
        "draining: /readyz answers 503, requests are still served"
    );
    drain.0.draining.send_replace(true);
    // The server future is the accept loop: it must go on running.
    tokio::select! {
        served = &mut server => return served,
        () = tokio::time::sleep(plan.drain) => {}
    }
    tracing::info!("no longer accepting; finishing requests in flight");
    let _ = stop_accepting.send(());
    let finished = async {
        let (served, ()) = tokio::join!(server, drain.close_sockets());
        served
    };
    match tokio::time::timeout(plan.timeout, finished).await {
        Ok(served) => served,
        Err(_) => {
            tracing::warn!(
                timeout_secs = plan.timeout.as_secs(),
                "requests or subscriptions outlasted SOI_SHUTDOWN_TIMEOUT_SECS; they are cut"
            );
            Ok(())
        }
    }
}
