//! Live updates over `graphql-transport-ws`: a sale made through one gateway
//! reaches a subscriber connected to another (through Redis pub/sub, well
//! before the subscriber's own re-read would), a subscriber of another city
//! hears nothing, and a connection without a valid token is refused.

use serde_json::{Value, json};
use soi_tests::TestApp;
use soi_tests::shows::show;
use soi_tests::ws::{self, Socket, next, send};
use std::time::{Duration, Instant};

const SALES: &str = "subscription($e: ID!) { ticketSales(eventId: $e) { sold held remaining } }";
const RESERVE: &str = "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId } }";

async fn connect(app: &TestApp, token: Option<&str>) -> (Socket, Value) {
    ws::connect(app.addr, token).await
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

async fn subscribe(socket: &mut Socket, id: &str, event: &str) -> Value {
    ws::subscribe(socket, id, SALES, json!({ "e": event })).await
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
