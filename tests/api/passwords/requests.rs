//! Asking for a reset link: the answer comes before the work that differs
//! between known and unknown addresses, and requests are limited.

use super::{OLD, almaty, request};
use serde_json::json;
use soi_tests::accounts::{admin_with_password, wait_for_link};
use soi_tests::locks::wait_until_blocked;
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, codes};
use sqlx::Connection;
use std::time::Duration;

/// The answer must not wait for the lookup and the email: while another
/// connection holds a lock that work needs, the answer for a known address
/// still comes, the same as for an unknown one, and the reset row and its
/// email follow only after the lock is let go. (Timing cannot tell the two
/// classes apart when the known one's work has not even begun.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_request_answers_before_its_work_and_the_same_for_unknown_addresses() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let city = almaty(&t).await;
    let (known, unknown) = (address(""), address(""));
    admin_with_password(&t.system().await, city, &known, OLD).await;

    let mut owner = t.raw().await;
    let mut lock = owner.begin().await.expect("begin");
    sqlx::query("lock table password_resets in access exclusive mode")
        .execute(&mut *lock)
        .await
        .expect("lock");
    // Were the answer to wait for the work, it would wait for this lock,
    // which is held until the answer is in: the bound only ends a hang.
    let within = Duration::from_secs(60);
    let answer = tokio::time::timeout(within, request(&app, "10.1.0.1", &known))
        .await
        .expect("answered while the reset work was locked out");
    let other = request(&app, "10.1.0.2", &unknown).await;
    assert_eq!(answer, json!({ "data": { "requestPasswordReset": true } }));
    assert_eq!(other, answer, "the same answer for an unknown address");
    // The known address's work is under way, held up by the lock.
    wait_until_blocked(&t, "soi_auth_request_reset").await;
    let rows: i64 = sqlx::query_scalar("select count(*) from password_resets")
        .fetch_one(&mut *lock)
        .await
        .expect("resets");
    assert_eq!(rows, 0, "nothing stored before the lock is let go");
    // (A new admin of Almaty also hears of the demo's expiring certificates.)
    let links = sink.received(&known);
    assert!(
        !links
            .iter()
            .any(|m| m.text.contains("/reset-password?token=")),
        "no reset link yet"
    );
    lock.rollback().await.expect("release");

    let mail = wait_for_link(&sink, &known, "reset-password").await;
    assert!(mail.subject.contains("Сброс пароля"), "{}", mail.subject);
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from password_resets r join accounts a on a.id = r.account_id \
         where a.email = $1",
    )
    .bind(&known)
    .fetch_one(&mut owner)
    .await
    .expect("resets");
    assert_eq!(stored, 1);
    let queued: i64 = sqlx::query_scalar("select count(*) from outbox where recipient_email = $1")
        .bind(&unknown)
        .fetch_one(&mut owner)
        .await
        .expect("outbox");
    assert_eq!(queued, 0, "an unknown address gets no mail");
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
