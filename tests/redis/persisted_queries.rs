//! Automatic persisted queries as Apollo clients send them, and rate limits
//! on sign-in.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes};

const QUERY: &str = "query { publicEvents(city: \"almaty\") { id title } }";

async fn post(app: &TestApp, body: Value) -> Value {
    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("json")
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn a_hash_is_unknown_then_stored_then_served_and_a_wrong_one_refused() {
    let (_t, app) = TestApp::seeded().await;
    let hash = soi_cache::sha256_hex(QUERY);
    let body = post(&app, json!({ "extensions": extension(&hash) })).await;
    assert_eq!(codes(&body), ["PERSISTED_QUERY_NOT_FOUND"], "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    let body = post(
        &app,
        json!({ "query": QUERY, "extensions": extension(&hash) }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let direct = body["data"].clone();
    assert!(direct["publicEvents"].is_array(), "{body}");
    let body = post(&app, json!({ "extensions": extension(&hash) })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"], direct);
    // Served over GET too, as Apollo sends hash-only queries.
    let url = format!(
        "/graphql?extensions={}",
        urlencode(&extension(&hash).to_string())
    );
    let got: Value = app
        .http
        .get(app.url(&url))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(got["data"], direct, "{got}");
    let wrong = soi_cache::sha256_hex("query { other }");
    let body = post(
        &app,
        json!({ "query": QUERY, "extensions": extension(&wrong) }),
    )
    .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let body = post(
        &app,
        json!({ "query": QUERY, "extensions": extension("not-a-hash") }),
    )
    .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let body = post(
        &app,
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }),
    )
    .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";

#[tokio::test]
async fn the_eleventh_wrong_password_in_a_minute_is_rate_limited_for_that_email_only() {
    let (_t, app) = TestApp::seeded().await;
    for n in 1..=10 {
        let (_, body) = app
            .graphql(
                LOGIN,
                json!({ "e": "admin@almaty.soi.test", "p": format!("wrong-{n}") }),
            )
            .await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "attempt {n}: {body}");
    }
    let (_, body) = app
        .graphql(
            LOGIN,
            json!({ "e": "admin@almaty.soi.test", "p": "wrong-11" }),
        )
        .await;
    assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
    let retry = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .expect("retryAfter");
    assert!((1..=60).contains(&retry), "{retry}");
    // Even the right password waits now; another user is unaffected.
    let (_, body) = app
        .graphql(
            LOGIN,
            json!({ "e": "admin@almaty.soi.test", "p": soi_seed::demo::DEFAULT_PASSWORD }),
        )
        .await;
    assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
    let token = app.login("admin@astana.soi.test").await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn reservations_from_one_address_are_limited_and_others_go_on() {
    let (t, app) = TestApp::seeded().await;
    let s = soi_tests::shows::show(&t, "almaty", 20, &[("Parterre", 500_000, 500)], false).await;
    let reserve = "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId } }";
    let vars = |n: usize| {
        json!({ "c": s.city, "i": { "eventId": s.event, "buyerName": "Buyer", "buyerEmail": format!("b{n}@mail.kz"),
                "language": "RU", "items": [{ "ticketTypeId": s.types[0], "quantity": 1 }] } })
    };
    let mut limited = 0;
    for n in 0..61 {
        let (_, body) = app.graphql_from("10.1.1.1", reserve, vars(n)).await;
        if codes(&body) == ["RATE_LIMITED"] {
            limited += 1;
        } else {
            assert!(body["errors"].is_null(), "{body}");
        }
    }
    assert_eq!(
        limited, 1,
        "the 61st reservation in a minute from one address"
    );
    let (_, body) = app.graphql_from("10.1.1.2", reserve, vars(99)).await;
    assert!(body["errors"].is_null(), "{body}");
}
