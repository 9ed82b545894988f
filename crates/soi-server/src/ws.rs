//! GraphQL subscriptions over WebSocket at `/graphql/ws` (`graphql-ws` and
//! the older `graphql-transport-ws` sub-protocols). The client signs in when
//! the connection starts: the `connection_init` payload carries
//! `{"Authorization": "Bearer <access token>"}` (or `{"token": "<token>"}`);
//! without a valid token the connection is refused. Everything a
//! subscription then reads is scoped by that token's city. Every operation
//! on the socket passes the same limits (depth, complexity, aliases, root
//! fields) and gets the same error codes as over HTTP: both are the
//! gate the schema runs behind (`soi_graphql`'s `plumbing::gate`).
//!
//! A connection lives no longer than its session. It is checked again every
//! [`SessionCheck::every`](crate::auth::SessionCheck::every) (the same cached
//! read as HTTP requests) and at the moment its token expires; when the
//! account was disabled or changed, or the token expired, the server closes
//! the socket with code 4401 and the reason, which ends every subscription
//! on it. A gateway that stops closes every connection with 1001 "going
//! away" once it no longer accepts (see [`crate::drain`]), so clients
//! reconnect to another one. async-graphql's own serving loop cannot be
//! stopped from outside, so the loop is written here around its protocol
//! state machine.

use crate::AppState;
use crate::auth::{self, Ended, Refused};
use async_graphql::Data;
use async_graphql::futures_util::{SinkExt, StreamExt, future};
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use soi_auth::Session;
use soi_graphql::{ErrorCode, RequestCtx};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Close code of a connection whose session ended (graphql-ws's "unauthorized").
pub const SESSION_ENDED: u16 = 4401;
/// Close code when the session could not be checked (WebSocket's "try again later").
pub const TRY_AGAIN_LATER: u16 = 1013;
/// Close code when the gateway stops (WebSocket's "going away").
pub const GOING_AWAY: u16 = 1001;

/// Why the server ends a signed-in connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    Expired,
    Session(Ended),
    /// The gateway is stopping.
    GoingAway,
}

impl Closing {
    fn frame(self) -> Message {
        let (code, reason) = match self {
            Self::Expired => (SESSION_ENDED, "token expired: sign in again"),
            Self::Session(Ended::Revoked) => (SESSION_ENDED, "session revoked: sign in again"),
            Self::Session(Ended::Unchecked) => (
                TRY_AGAIN_LATER,
                "the session could not be checked: reconnect shortly",
            ),
            Self::GoingAway => (GOING_AWAY, "the server is restarting: reconnect"),
        };
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    }
}

/// The bearer token of a `connection_init` payload.
fn token(payload: &serde_json::Value) -> Option<String> {
    let raw = ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()))?;
    Some(auth::bearer(raw).unwrap_or(raw).trim().to_owned())
}

/// The first GraphQL sub-protocol the client offers.
fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|p| p.trim().parse().ok())
}

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    socket: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = protocol(&headers) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // Taken before the upgrade, so a gateway stopping now waits for it too.
    let leave = state.drain.socket();
    socket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |ws| serve(ws, state, protocol, leave))
}

/// Speaks the protocol until the client leaves, the protocol ends the
/// connection, the session does, or the gateway stops (`leave`).
async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    mut leave: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, source) = socket.split();
    let input = source
        .take_while(|m| future::ready(m.is_ok()))
        .filter_map(|m| {
            future::ready(match m {
                Ok(m @ (Message::Text(_) | Message::Binary(_))) => Some(m.into_data()),
                _ => None,
            })
        });
    let (signed_in, session) = tokio::sync::oneshot::channel::<(Session, u64)>();
    let init = state.clone();
    let conversation = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| async move {
            let token = token(&payload).ok_or_else(|| {
                ErrorCode::Unauthenticated
                    .error("sign in: send the access token in connection_init")
            })?;
            let (session, expires) = auth::session(&init, &token).await.map_err(|r| match r {
                Refused::Unauthenticated => ErrorCode::Unauthenticated
                    .error("sign in: the access token is expired, revoked or not valid"),
                Refused::Unavailable => {
                    ErrorCode::Internal.error("the session could not be checked; try again shortly")
                }
            })?;
            let _ = signed_in.send((session, expires));
            let mut data = Data::default();
            let id = uuid::Uuid::new_v4().to_string();
            data.insert(RequestCtx::signed_in(session.principal, id));
            Ok(data)
        });
    let ended = async {
        match session.await {
            Ok((session, expires)) => watch(&state, session, expires).await,
            // Never signed in: the protocol closes such a connection itself.
            Err(_) => future::pending::<Closing>().await,
        }
    };
    tokio::pin!(conversation, ended);
    loop {
        let out = tokio::select! {
            message = conversation.next() => match message {
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })),
                None => break,
            },
            closing = &mut ended => {
                tracing::info!(?closing, "subscription connection closed by the server");
                closing.frame()
            }
            _ = leave.wait_for(|l| *l) => Closing::GoingAway.frame(),
        };
        let last = matches!(out, Message::Close(_));
        // Leaving drops the conversation, and with it every subscription.
        if sink.send(out).await.is_err() || last {
            break;
        }
    }
}

/// Waits until the session ends: checked every interval of the session
/// check, and at the instant its token expires.
async fn watch(state: &AppState, session: Session, expires: u64) -> Closing {
    let every = state.sessions.every();
    loop {
        let left = until(expires);
        if left.is_zero() {
            return Closing::Expired;
        }
        tokio::time::sleep(left.min(every)).await;
        if until(expires).is_zero() {
            return Closing::Expired;
        }
        if let Err(ended) = state.sessions.check(&session).await {
            return Closing::Session(ended);
        }
    }
}

/// Time left until `expires` (Unix seconds).
fn until(expires: u64) -> Duration {
    (UNIX_EPOCH + Duration::from_secs(expires))
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
}
