//! Per-client rate limits behind a proxy (`SOI_TRUSTED_PROXIES`): from a
//! trusted peer the client is the rightmost `X-Forwarded-For` address that
//! is not a trusted proxy, so two clients relayed by one proxy are counted
//! apart; from any other peer the header is ignored, so forging it buys no
//! fresh limit. The limit used is the persisted-query store's (one new
//! query per client a minute here): cheap, and per client.

use serde_json::{Value, json};
use soi_server::TrustedProxies;
use soi_tests::{TestApp, TestDb, codes};

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A gateway storing one new persisted query per client a minute, trusting
/// `trusted` (the test connects from 127.0.0.1).
async fn gateway(t: &TestDb, trusted: &str) -> TestApp {
    let trusted = TrustedProxies::parse(trusted).expect("trusted proxies");
    TestApp::spawn_with(t, &redis_url(), move |s| {
        s.gql_limits.apq_stores_per_minute = 1;
        s.trusted_proxies = trusted;
    })
    .await
}

async fn post(app: &TestApp, forwarded: Option<&str>, body: &Value) -> Value {
    let mut req = app.http.post(app.url("/graphql")).json(body);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let r = req.send().await.expect("request");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("json")
}

fn query(n: usize) -> String {
    format!("query Q{n} {{ cities {{ slug }} }}")
}

fn persisted(q: &str, with_query: bool) -> Value {
    let hash = soi_cache::sha256_hex(q);
    let mut body =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    if with_query {
        body["query"] = json!(q);
    }
    body
}

/// Sends query `n` with its hash as if from `forwarded`; true when the
/// store kept it (that client's one store of the minute was free).
async fn stores(app: &TestApp, forwarded: Option<&str>, n: usize) -> bool {
    let q = query(n);
    let body = post(app, forwarded, &persisted(&q, true)).await;
    assert!(body["errors"].is_null(), "{body}");
    let asked = post(app, None, &persisted(&q, false)).await;
    codes(&asked) != ["PERSISTED_QUERY_NOT_FOUND"]
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    // Trusting nobody (the default), and trusting a range the peer is not in.
    for trusted in ["", "10.0.0.0/8"] {
        let t = TestDb::new().await;
        let app = gateway(&t, trusted).await;
        assert!(stores(&app, Some("198.51.100.1"), 0).await);
        // Another claimed client is still 127.0.0.1, whose store is spent.
        assert!(
            !stores(&app, Some("198.51.100.2"), 1).await,
            "trusting {trusted:?}"
        );
        assert!(!stores(&app, None, 2).await, "trusting {trusted:?}");
    }
}

#[tokio::test]
async fn clients_relayed_by_a_trusted_proxy_get_separate_limits() {
    let t = TestDb::new().await;
    let app = gateway(&t, "127.0.0.1, 10.0.0.0/8").await;
    assert!(stores(&app, Some("198.51.100.1"), 0).await);
    assert!(
        stores(&app, Some("198.51.100.2"), 1).await,
        "a second client"
    );
    assert!(
        !stores(&app, Some("198.51.100.1"), 2).await,
        "the first, again"
    );
    // What the client wrote left of its own address is not believed, and an
    // inner trusted hop is skipped: still 198.51.100.1.
    assert!(
        !stores(&app, Some("203.0.113.9, 198.51.100.1, 10.1.2.3"), 3).await,
        "a forged entry left of the client"
    );
    // A malformed header leaves the peer (127.0.0.1), a client of its own.
    assert!(stores(&app, Some("198.51.100.3, not-an-address"), 4).await);
    assert!(!stores(&app, None, 5).await, "the peer itself, again");
}
