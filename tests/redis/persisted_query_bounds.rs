//! What the persisted-query store accepts: only queries that parsed and
//! passed every limit and validation rule, at most so many per client a
//! minute (counted in Redis, or in process while Redis is away), and no
//! more than its maximum of distinct hashes and of query size.

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb, codes};

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// POSTs `query` (or, when `None`, only its hash) with the
/// `persistedQuery` extension, from client address `client`.
async fn send(app: &TestApp, client: &str, hash_of: &str, query: Option<&str>) -> Value {
    let hash = soi_cache::sha256_hex(hash_of);
    let mut body =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("x-forwarded-for", client)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("json")
}

/// Whether the store holds `query` (asked hash-only, as Apollo clients do).
async fn stored(app: &TestApp, query: &str) -> bool {
    let body = send(app, "10.77.0.1", query, None).await;
    codes(&body) != ["PERSISTED_QUERY_NOT_FOUND"]
}

fn named(n: usize) -> String {
    format!("query Q{n} {{ cities {{ slug }} }}")
}

#[tokio::test]
async fn a_query_that_fails_a_limit_or_validation_is_not_stored() {
    let (_t, app) = TestApp::seeded().await;
    let aliases: String = (0..31).map(|i| format!("a{i}: slug ")).collect();
    let over = format!("{{ cities {{ {aliases} }} }}");
    let roots: String = (0..21).map(|_| "cities { slug } ").collect();
    let wide = format!("{{ {roots} }}");
    let deep = format!("{{ cities {}slug{} }}", "{ a ".repeat(15), " }".repeat(15));
    for bad in [
        over.as_str(),
        wide.as_str(),
        deep.as_str(),
        "{ noSuchField }",
        "{ cities { slug }",
        "{ __schema { description } }",
    ] {
        let body = send(&app, "10.77.1.1", bad, Some(bad)).await;
        assert!(!codes(&body).is_empty(), "{bad}: {body}");
        assert!(!stored(&app, bad).await, "stored: {bad}");
    }
    let good = named(1);
    let body = send(&app, "10.77.1.1", &good, Some(&good)).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(stored(&app, &good).await);
}

#[tokio::test]
async fn a_client_stores_at_most_its_rate_of_new_queries_a_minute() {
    let t = TestDb::new().await;
    let app = TestApp::spawn_with(&t, &redis_url(), |s| {
        s.gql_limits.apq_stores_per_minute = 3;
    })
    .await;
    for n in 0..4 {
        let q = named(n);
        let body = send(&app, "10.77.2.1", &q, Some(&q)).await;
        // Past its rate the query still runs; it is only not kept.
        assert!(body["errors"].is_null(), "{body}");
    }
    for n in 0..3 {
        assert!(stored(&app, &named(n)).await, "query {n}");
    }
    assert!(!stored(&app, &named(3)).await, "the fourth from one client");
    let q = named(3);
    let body = send(&app, "10.77.2.2", &q, Some(&q)).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(stored(&app, &q).await, "another client stores it");
}

#[tokio::test]
async fn the_store_keeps_at_most_its_maximum_of_hashes_and_of_query_size() {
    let t = TestDb::new().await;
    let app = TestApp::spawn_with(&t, &redis_url(), |s| {
        s.apq.max_entries = 2;
        s.apq.max_query_bytes = 100;
    })
    .await;
    let large = format!("query Large {{ cities {{ slug }} }}{}", " ".repeat(100));
    let body = send(&app, "10.77.3.1", &large, Some(&large)).await;
    assert!(
        body["errors"].is_null(),
        "too large to keep, still run: {body}"
    );
    assert!(!stored(&app, &large).await);
    for n in 0..3 {
        let q = named(n);
        let body = send(&app, &format!("10.77.3.{}", n + 2), &q, Some(&q)).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    assert!(stored(&app, &named(0)).await);
    assert!(stored(&app, &named(1)).await);
    assert!(
        !stored(&app, &named(2)).await,
        "a third hash past a maximum of two"
    );
    // A hash already kept is registered again, full or not.
    let q = named(1);
    let body = send(&app, "10.77.3.9", &q, Some(&q)).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(stored(&app, &q).await);
}

#[tokio::test]
async fn the_store_rate_is_counted_in_process_while_redis_is_away() {
    // Nothing listens on port 1: every check falls back to the process.
    let redis = soi_cache::Redis::new(
        "redis://127.0.0.1:1",
        soi_cache::CacheOptions {
            prefix: format!("soitest-{}", uuid::Uuid::new_v4().simple()),
            ..soi_cache::CacheOptions::default()
        },
    )
    .expect("redis handle");
    let limits = soi_graphql::Limits::default();
    let rule = soi_graphql::throttle::APQ_STORE_PER_CLIENT.with_limit(3);
    let national = soi_cache::Scope::National;
    for n in 0..3 {
        let allowed = soi_graphql::throttle::allow(&redis, &limits, national, rule, "10.77.4.1");
        assert!(allowed.await.is_ok(), "store {n}");
    }
    let fourth = soi_graphql::throttle::allow(&redis, &limits, national, rule, "10.77.4.1").await;
    assert!(fourth.is_err(), "the fourth in a minute");
    let other = soi_graphql::throttle::allow(&redis, &limits, national, rule, "10.77.4.2").await;
    assert!(other.is_ok(), "another client");
    assert!(redis.stats().rate_limit_fallbacks >= 5);
}
