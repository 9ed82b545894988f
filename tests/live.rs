//! Live updates over `graphql-transport-ws`: a sale made through one gateway
//! reaches a subscriber connected to another (through Redis pub/sub, well
//! before the subscriber's own re-read would), a subscriber of another city
//! hears nothing, and a connection without a valid token is refused.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use soi_tests::TestApp;
use soi_tests::shows::show;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SALES: &str = "subscription($e: ID!) { ticketSales(eventId: $e) { sold held remaining } }";
const RESERVE: &str = "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId } }";

async fn connect(app: &TestApp, token: Option<&str>) -> (Socket, Value) {
    let mut req = format!("ws://{}/graphql/ws", app.addr)
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
async fn send(ws: &mut Socket, v: Value) {
    let _ = ws.send(Message::Text(v.to_string().into())).await;
}

/// The next JSON message (pings answered), or `None` on timeout or close.
async fn next(ws: &mut Socket, within: Duration) -> Option<Value> {
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

/// The code of a refused subscription (a resolver's error arrives as a
/// `next` message with `errors`, a validation error as `error`).
fn error_code(msg: &Value) -> String {
    let errors = if msg["type"] == "error" {
        &msg["payload"]
    } else {
        &msg["payload"]["errors"]
    };
    errors[0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn subscribe(ws: &mut Socket, id: &str, event: &str) -> Value {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": SALES, "variables": { "e": event } } }),
    )
    .await;
    next(ws, Duration::from_secs(5))
        .await
        .expect("first message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_through_one_gateway_reaches_a_subscriber_on_another_and_no_other_city() {
    let (t, first) = TestApp::seeded().await;
    let second = TestApp::spawn(&t).await;
    let almaty_show = show(&t, "almaty", 20, &[("Parterre", 500_000, 100)], false).await;
    let astana_show = show(&t, "astana", 20, &[("Parterre", 400_000, 100)], false).await;
    let almaty = second.login("admin@almaty.soi.test").await;
    let astana = second.login("admin@astana.soi.test").await;

    let (mut watcher, ack) = connect(&second, Some(&almaty)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let initial = subscribe(&mut watcher, "1", &almaty_show.event).await;
    assert_eq!(initial["type"], "next", "{initial}");
    assert_eq!(
        initial["payload"]["data"]["ticketSales"]["held"], 0,
        "{initial}"
    );

    let (mut other, ack) = connect(&second, Some(&astana)).await;
    assert_eq!(ack["type"], "connection_ack");
    let theirs = subscribe(&mut other, "1", &astana_show.event).await;
    assert_eq!(theirs["type"], "next", "{theirs}");
    // Astana cannot watch Almaty's event: it does not exist in Astana.
    let foreign = subscribe(&mut other, "2", &almaty_show.event).await;
    assert_eq!(error_code(&foreign), "NOT_FOUND", "{foreign}");
    let closed = next(&mut other, Duration::from_secs(5))
        .await
        .expect("complete");
    assert_eq!(closed, json!({ "id": "2", "type": "complete" }));

    // A buyer reserves three seats through the first gateway.
    let sold_at = Instant::now();
    let (_, body) = first
        .graphql_from(
            "10.2.2.2",
            RESERVE,
            json!({ "c": "almaty", "i": { "eventId": almaty_show.event, "buyerName": "Buyer", "buyerEmail": "b@mail.kz",
                     "language": "RU", "items": [{ "ticketTypeId": almaty_show.types[0], "quantity": 3 }] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let update = next(&mut watcher, Duration::from_secs(10))
        .await
        .expect("an update on the other gateway");
    let took = sold_at.elapsed();
    assert_eq!(
        update["payload"]["data"]["ticketSales"]["held"], 3,
        "{update}"
    );
    assert_eq!(
        update["payload"]["data"]["ticketSales"]["remaining"], 97,
        "{update}"
    );
    // Faster than the 5 s re-read: it came through Redis pub/sub.
    assert!(took < Duration::from_millis(2500), "took {took:?}");

    // Astana's subscriber hears nothing of Almaty's sale.
    assert_eq!(next(&mut other, Duration::from_secs(6)).await, None);
}

#[tokio::test]
async fn a_connection_without_a_valid_token_is_refused() {
    let (_t, app) = TestApp::seeded().await;
    for token in [None, Some("not-a-token")] {
        let (mut ws, ack) = connect(&app, token).await;
        assert_ne!(ack["type"], "connection_ack", "{ack}");
        // Nothing can be subscribed on it.
        send(&mut ws, json!({ "id": "1", "type": "subscribe", "payload": { "query": SALES, "variables": { "e": "x" } } })).await;
        let got = next(&mut ws, Duration::from_secs(2)).await;
        assert!(
            got.is_none() || got.as_ref().is_some_and(|v| v["type"] != "next"),
            "{got:?}"
        );
    }
}

#[tokio::test]
async fn the_national_role_watches_totals_and_nothing_of_a_city() {
    let (_t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let (mut ws, ack) = connect(&app, Some(&national)).await;
    assert_eq!(ack["type"], "connection_ack");
    send(&mut ws, json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription { nationalTotals(from: \"2021-01\", to: \"2030-12\") { applicants ticketRevenue suppressed } }" } })).await;
    let first = next(&mut ws, Duration::from_secs(5)).await.expect("totals");
    assert!(
        first["payload"]["data"]["nationalTotals"]["ticketRevenue"]
            .as_i64()
            .unwrap_or(0)
            > 0,
        "{first}"
    );
    send(
        &mut ws,
        json!({ "id": "2", "type": "subscribe", "payload": {
        "query": SALES, "variables": { "e": uuid::Uuid::new_v4().to_string() } } }),
    )
    .await;
    let refused = next(&mut ws, Duration::from_secs(5)).await.expect("error");
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
}
