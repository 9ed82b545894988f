//! A `graphql-transport-ws` client for tests: connect with a token in
//! `connection_init`, send messages, read the next one (pings answered).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` of the gateway at `addr` and sends `connection_init`
/// (with the bearer token, if any); returns the socket and the first answer
/// (`connection_ack`, or `Null` when the server closed the connection).
pub async fn connect(addr: SocketAddr, token: Option<&str>) -> (Socket, Value) {
    let mut req = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let payload = token.map_or(
        json!({}),
        |t| json!({ "Authorization": format!("Bearer {t}") }),
    );
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    let ack = next(&mut ws, Duration::from_secs(5))
        .await
        .unwrap_or(Value::Null);
    (ws, ack)
}

/// Sends a message; a connection the server closed takes nothing.
pub async fn send(ws: &mut Socket, v: Value) {
    let _ = ws.send(Message::Text(v.to_string().into())).await;
}

/// The next JSON message (pings answered), or `None` on timeout or close.
pub async fn next(ws: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).expect("json message");
                if v["type"] == "ping" {
                    send(ws, json!({ "type": "pong" })).await;
                    continue;
                }
                return Some(v);
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return None,
        }
    }
}

/// Subscribes (`id`) to `query` with `variables`; returns the first message.
pub async fn subscribe(ws: &mut Socket, id: &str, query: &str, variables: Value) -> Value {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    )
    .await;
    next(ws, Duration::from_secs(5))
        .await
        .expect("first message")
}

/// Reads until the server closes the connection; returns its close code
/// (`None` when it ends without a close frame, or not `within`). Data
/// messages on the way are skipped, pings answered.
pub async fn close_code(ws: &mut Socket, within: Duration) -> Option<u16> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(Message::Text(t)))) => {
                if t.contains("\"ping\"") {
                    send(ws, json!({ "type": "pong" })).await;
                }
            }
            Ok(Some(Ok(_))) => {}
            Ok(None) | Ok(Some(Err(_))) | Err(_) => return None,
        }
    }
}
