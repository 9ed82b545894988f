//! GraphQL subscriptions over WebSocket at `/graphql/ws` (`graphql-ws` and
//! the older `graphql-transport-ws` sub-protocols). The client signs in when
//! the connection starts: the `connection_init` payload carries
//! `{"Authorization": "Bearer <access token>"}` (or `{"token": "<token>"}`);
//! without a valid token the connection is refused. Everything a
//! subscription then reads is scoped by that token's city.

use crate::AppState;
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use soi_graphql::{ErrorCode, RequestCtx};

/// The bearer token of a `connection_init` payload.
fn token(payload: &serde_json::Value) -> Option<String> {
    let raw = ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()))?;
    let t = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or(raw);
    Some(t.trim().to_owned())
}

pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    socket: WebSocketUpgrade,
) -> Response {
    let schema = state.schema.clone();
    let keys = state.keys.clone();
    socket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let principal = token(&payload)
                        .and_then(|t| keys.verify(&t).ok())
                        .ok_or_else(|| {
                            ErrorCode::Unauthenticated
                                .error("sign in: send the access token in connection_init")
                        })?;
                    let id = uuid::Uuid::new_v4().to_string();
                    let mut data = Data::default();
                    data.insert(RequestCtx::signed_in(principal, id));
                    Ok(data)
                })
                .serve()
        })
}
