//! Redis killed in the middle of a load run: every request is still
//! answered (from PostgreSQL), `/readyz` says degraded and the metrics count
//! the errors; when Redis is back the cache is used again by itself.

use serde_json::{Value, json};
use soi_tests::TestApp;
use soi_tests::redis_child::RedisChild;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CITY: &str =
    "query { cityReport(from: \"2021-01\", to: \"2030-12\") { totals { applicants } } }";
const PUBLIC: &str = "query { publicEvents(city: \"almaty\") { id ticketTypes { remaining } } }";

async fn text(app: &TestApp, path: &str) -> String {
    app.http
        .get(app.url(path))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text")
}

fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Polls `/readyz` until its `redis` field reads `want` (at most 15 s).
async fn wait_redis(app: &TestApp, want: &str) {
    let start = Instant::now();
    loop {
        let v: Value = serde_json::from_str(&text(app, "/readyz").await).expect("json");
        if v["redis"] == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "redis never {want}: {v}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_killed_under_load_fails_no_request_and_the_cache_comes_back() {
    let (t, seeded) = TestApp::seeded().await;
    drop(seeded);
    let mut redis = RedisChild::start();
    let app = Arc::new(TestApp::spawn_with_redis(&t, &redis.url()).await);
    wait_redis(&app, "up").await;
    let admin = Arc::new(app.login("admin@almaty.soi.test").await);

    let stop = Arc::new(AtomicBool::new(false));
    let (done, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..6 {
        let (app, admin, stop, done, failed) = (
            app.clone(),
            admin.clone(),
            stop.clone(),
            done.clone(),
            failed.clone(),
        );
        clients.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let (status, body) = if n % 2 == 0 {
                    app.graphql_as(Some(&admin), CITY, json!({})).await
                } else {
                    app.graphql(PUBLIC, json!({})).await
                };
                if status != 200 || !body["errors"].is_null() {
                    failed.fetch_add(1, Ordering::Relaxed);
                    eprintln!("failed: {status} {body}");
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.kill();
    wait_redis(&app, "down").await;
    let ready: Value = serde_json::from_str(&text(&app, "/readyz").await).expect("json");
    assert_eq!(ready["status"], "degraded", "{ready}");
    let during = done.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        done.load(Ordering::Relaxed) > during + 20,
        "requests kept flowing while Redis was down"
    );
    let metrics = text(&app, "/metrics").await;
    assert!(counter(&metrics, "soi_cache_errors_total") > 0, "{metrics}");
    assert_eq!(counter(&metrics, "soi_redis_up"), 0);
    redis.restart();
    wait_redis(&app, "up").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    while clients.join_next().await.is_some() {}
    assert_eq!(failed.load(Ordering::Relaxed), 0, "requests failed");
    eprintln!("{} requests, none failed", done.load(Ordering::Relaxed));

    // Back up: the same report twice is a hit again.
    let hits = counter(&text(&app, "/metrics").await, "soi_cache_hits_total");
    for _ in 0..3 {
        let (_, body) = app.graphql_as(Some(&admin), CITY, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    assert!(counter(&text(&app, "/metrics").await, "soi_cache_hits_total") >= hits + 2);
}
