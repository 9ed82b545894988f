//! Request ids: a client's `x-request-id` stands only when it is short and
//! plain; anything else is replaced by one the gateway makes, so no client
//! can break audited mutations with a long id or write ids of its choosing
//! into the audit log.

use serde_json::{Value, json};
use soi_tests::{TestApp, nodes};

const CREATE_RINK: &str = "mutation($i: RinkInput!) { createRink(input: $i) { id } }";
const LOG: &str =
    "query { auditLog(operation: \"createRink\", first: 50) { edges { node { requestId } } } }";

/// Creates a rink sending `id` as `x-request-id`; returns the id the
/// gateway answered with and the body.
async fn create_rink(app: &TestApp, token: &str, id: &str, name: &str) -> (String, Value) {
    let r = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("x-request-id", id)
        .json(&json!({ "query": CREATE_RINK, "variables": { "i": { "name": name, "address": "Almaty, Abay Ave 2" } } }))
        .send()
        .await
        .expect("request");
    let answered = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id answered")
        .to_owned();
    (answered, r.json().await.expect("json"))
}

async fn logged_ids(app: &TestApp, token: &str) -> Vec<String> {
    let (_, body) = app.graphql_as(Some(token), LOG, json!({})).await;
    nodes(&body, "auditLog")
        .iter()
        .filter_map(|n| n["requestId"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_overlong_or_forged_request_id_is_replaced_and_the_mutation_is_audited() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let long = "a".repeat(200);
    let forged = "0f8fe3c2 admin=national; city=*";
    let mut made = Vec::new();
    for (n, sent) in [long.as_str(), forged].into_iter().enumerate() {
        let (answered, body) = create_rink(&app, &admin, sent, &format!("Rink {n}")).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_ne!(answered, sent);
        assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered}");
        made.push(answered);
    }
    let mut logged = logged_ids(&app, &admin).await;
    logged.sort();
    made.sort();
    assert_eq!(logged, made, "the audit log holds the ids the gateway made");
}

#[tokio::test]
async fn a_short_plain_request_id_is_echoed_and_audited() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let sent = "trace-4bf92f35.77_B";
    let (answered, body) = create_rink(&app, &admin, sent, "Trace Rink").await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(answered, sent);
    assert_eq!(logged_ids(&app, &admin).await, [sent]);
}
