//! Asking for a reset link: the same answer for known and unknown
//! addresses, and requests are limited.

use super::{OLD, REQUEST, almaty, request};
use serde_json::{Value, json};
use soi_tests::accounts::{admin_with_password, wait_for_link};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, codes};
use std::time::{Duration, Instant};

/// A request's answer and how long it took, from a client of its own.
async fn timed(app: &TestApp, client: &str, email: &str) -> (Value, Duration) {
    let started = Instant::now();
    let (_, body) = app
        .graphql_from(client, REQUEST, json!({ "e": email }))
        .await;
    (body, started.elapsed())
}

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_known_and_unknown_addresses() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let (sys, city) = (t.system().await, almaty(&t).await);
    let mut known = Vec::new();
    for _ in 0..7 {
        let email = address("");
        admin_with_password(&sys, city, &email, OLD).await;
        known.push(email);
    }
    let unknown: Vec<String> = (0..7).map(|_| address("")).collect();
    // Interleaved, so both classes meet the same machine load.
    let (mut k_times, mut u_times) = (Vec::new(), Vec::new());
    for (i, (k, u)) in known.iter().zip(&unknown).enumerate() {
        let (kb, kt) = timed(&app, &format!("10.1.0.{i}"), k).await;
        let (ub, ut) = timed(&app, &format!("10.2.0.{i}"), u).await;
        assert_eq!(kb, json!({ "data": { "requestPasswordReset": true } }));
        assert_eq!(ub, kb, "the same answer");
        k_times.push(kt);
        u_times.push(ut);
    }
    // The same timing class: the lookup and the email happen after the
    // answer, so neither median may be a multiple of the other.
    let (k, u) = (median(k_times), median(u_times));
    assert!(
        k < u * 3 + Duration::from_millis(20) && u < k * 3 + Duration::from_millis(20),
        "known {k:?} vs unknown {u:?}"
    );
    for k in &known {
        let mail = wait_for_link(&sink, k, "reset-password").await;
        assert!(mail.subject.contains("Сброс пароля"), "{}", mail.subject);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for u in &unknown {
        assert!(sink.received(u).is_empty(), "an unknown address got mail");
    }
    worker.stop().await;
}

#[tokio::test]
async fn reset_requests_are_limited_per_address() {
    let (_t, app) = TestApp::seeded().await;
    let email = address("");
    for i in 0..3 {
        let body = request(&app, &format!("10.3.0.{i}"), &email).await;
        assert_eq!(body["data"]["requestPasswordReset"], true, "{body}");
    }
    let body = request(&app, "10.3.0.9", &email).await;
    assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
}
