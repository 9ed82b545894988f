//! The request limits (depth, complexity, aliases, root fields) hold alike
//! for every way an operation arrives: POST, GET, a member of a batch and a
//! WebSocket operation (query or subscription), refused before anything
//! runs with the same `BAD_USER_INPUT`.

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb, codes, ws};
use std::time::Duration;

/// Each breaks exactly one limit of [`tight`].
const OVER_LIMIT: [(&str, &str); 5] = [
    ("aliases", "{ cities { a: slug b: slug c: slug } }"),
    (
        "root fields",
        "{ __typename cities { slug } __schema { description } }",
    ),
    (
        "depth",
        "{ __schema { types { fields { type { name } } } } }",
    ),
    (
        "complexity",
        "{ cities { slug nameKk nameRu nameEn timeZone status launchedOn } }",
    ),
    (
        "aliases",
        "subscription { a: ticketSales(eventId: \"x\") { b: sold c: sold } }",
    ),
];

fn tight(s: &mut soi_server::Settings) {
    s.gql_limits.aliases = 2;
    s.gql_limits.root_fields = 2;
    s.gql_limits.depth = 4;
    s.gql_limits.complexity = 6;
}

/// A refusal: no data, and every error coded `BAD_USER_INPUT`.
fn assert_refused(what: &str, how: &str, body: &Value) {
    assert!(body["data"].is_null(), "{what} over {how}: {body}");
    assert_eq!(codes(body), ["BAD_USER_INPUT"], "{what} over {how}: {body}");
}

#[tokio::test]
async fn every_transport_refuses_an_over_limit_operation_with_the_same_code() {
    let t = TestDb::new().await;
    let redis_url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let app = TestApp::spawn_with(&t, &redis_url, tight).await;
    let national = soi_tests::tokens::account(&t, None, soi_core::Role::National).await;
    let token = soi_tests::tokens::token(&t, national, 900).await;
    // Within every limit it runs, on each transport below.
    let (_, ok) = app
        .graphql_as(Some(&token), "{ cities { slug } }", json!({}))
        .await;
    assert!(ok["errors"].is_null(), "{ok}");

    let (mut socket, ack) = ws::connect(app.addr, Some(&token)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    for (n, (what, query)) in OVER_LIMIT.iter().enumerate() {
        let (_, body) = app.graphql_as(Some(&token), query, json!({})).await;
        assert_refused(what, "POST", &body);

        if !query.starts_with("subscription") {
            let got: Value = app
                .http
                .get(app.url("/graphql"))
                .query(&[("query", query)])
                .bearer_auth(&token)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            assert_refused(what, "GET", &got);
        }

        let batch: Value = app
            .http
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .json(&json!([{ "query": "{ cities { slug } }" }, { "query": query }]))
            .send()
            .await
            .expect("batch")
            .json()
            .await
            .expect("json");
        assert!(batch[0]["errors"].is_null(), "{batch}");
        assert_refused(what, "a batch", &batch[1]);

        let message = ws::subscribe(&mut socket, &n.to_string(), query, json!({})).await;
        let body = match message["type"].as_str() {
            // graphql-transport-ws sends a failed operation's errors as a
            // `next` payload, or as the `error` message's payload.
            Some("next") => message["payload"].clone(),
            Some("error") => json!({ "data": null, "errors": message["payload"] }),
            _ => panic!("{what} over WebSocket: {message}"),
        };
        assert_refused(what, "WebSocket", &body);
        if *what == "aliases" {
            let text = body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(
                text.contains("aliases"),
                "the limit, not validation: {body}"
            );
        }
        // The operation ends there (nothing keeps running for it).
        if message["type"] == "next" {
            let done = ws::next(&mut socket, Duration::from_secs(5)).await;
            assert_eq!(
                done.as_ref().map(|m| &m["type"]),
                Some(&json!("complete")),
                "{done:?}"
            );
        }
    }
}
