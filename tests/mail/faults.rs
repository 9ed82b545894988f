//! No email is lost: the outbox and the mail worker against a real SMTP sink
//! that refuses, stalls or goes away on demand. Each test has its own
//! database and its own recipients, so tests may share one sink.

use soi_core::{CityId, Language};
use soi_db::Db;
use soi_db::mail::outbox;
use soi_db::mail::wakeups::{Wakeup, Wakeups};
use soi_tests::mail::{RunningWorker, Sink, address, enqueue, payload, quick_config, wait_status};
use soi_tests::{TestDb, launch, tenant};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// (status, attempts, last_error) of the message to `recipient`.
async fn row(t: &TestDb, recipient: &str) -> (String, i32, Option<String>) {
    sqlx::query_as("select status, attempts, last_error from outbox where recipient_email = $1")
        .bind(recipient)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("outbox row")
}

async fn fresh() -> (TestDb, Db, CityId) {
    let t = TestDb::new().await;
    let city = launch(&t.system().await, "mailtown").await.id;
    let db = t.db().await;
    (t, db, city)
}

#[tokio::test]
async fn temporary_refusals_are_retried_and_each_message_arrives_once() {
    let (t, db, city) = fresh().await;
    let sink = Sink::shared();
    let (rcpt, data, plain) = (address("tempfail2"), address("tempdata2"), address(""));
    let all = [rcpt.clone(), data.clone(), plain.clone()];
    enqueue(&db, city, &all).await;
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    wait_status(&t, &all, "sent").await;
    worker.stop().await;
    // 451 to RCPT twice, 451 after DATA twice: the third attempt delivers.
    assert_eq!(row(&t, &rcpt).await.1, 3);
    assert_eq!(row(&t, &data).await.1, 3);
    assert_eq!(row(&t, &plain).await.1, 1);
    for r in &all {
        assert_eq!(sink.received(r).len(), 1, "{r}");
    }
}

#[tokio::test]
async fn a_permanent_refusal_parks_the_message_and_the_rest_keep_flowing() {
    let (t, db, city) = fresh().await;
    let sink = Sink::shared();
    let rejected = address("reject");
    let hopeless = address("tempfail99");
    let others: Vec<String> = (0..6).map(|_| address("")).collect();
    let mut all = vec![rejected.clone(), hopeless.clone()];
    all.extend(others.iter().cloned());
    enqueue(&db, city, &all).await;
    let mut cfg = quick_config(&sink.url());
    cfg.max_attempts = 3;
    let worker = RunningWorker::start(&t, cfg).await;
    wait_status(&t, &others, "sent").await;
    wait_status(&t, &[rejected.clone(), hopeless.clone()], "parked").await;
    worker.stop().await;
    let (_, attempts, error) = row(&t, &rejected).await;
    assert_eq!(attempts, 1, "a 5xx answer is final");
    let error = error.expect("a reason");
    assert!(
        error.starts_with("refused:") && error.contains("550"),
        "{error}"
    );
    let (_, attempts, error) = row(&t, &hopeless).await;
    assert_eq!(attempts, 3);
    let error = error.expect("a reason");
    assert!(
        error.starts_with("gave up after 3 attempts") && error.contains("451"),
        "{error}"
    );
    assert!(sink.received(&rejected).is_empty());
    assert!(sink.received(&hopeless).is_empty());
    for r in &others {
        assert_eq!(sink.received(r).len(), 1, "{r}");
    }
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_all_arrives_when_it_is_back() {
    let (t, db, city) = fresh().await;
    let mut sink = Sink::private();
    let (port, dir) = (sink.port(), sink.dir().to_owned());
    sink.stop();
    let all: Vec<String> = (0..5).map(|_| address("")).collect();
    enqueue(&db, city, &all).await;
    let mut cfg = quick_config(&sink.url());
    cfg.max_attempts = 1000;
    let worker = RunningWorker::start(&t, cfg).await;
    // Every message fails a few times while nobody answers on the port.
    let deadline = tokio::time::Instant::now() + WAIT;
    for r in &all {
        loop {
            let (status, attempts, error) = row(&t, r).await;
            if attempts >= 2 && status == "pending" {
                assert!(error.is_some_and(|e| !e.is_empty()));
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no retries");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let back = Sink::start(port, &dir);
    wait_status(&t, &all, "sent").await;
    worker.stop().await;
    for r in &all {
        assert_eq!(back.received(r).len(), 1, "{r}");
    }
    drop(back);
    drop(sink);
}

#[tokio::test]
async fn two_workers_deliver_each_message_exactly_once() {
    let (t, db, city) = fresh().await;
    let sink = Sink::shared();
    let all: Vec<String> = (0..40).map(|_| address("")).collect();
    let mut cfg = quick_config(&sink.url());
    cfg.batch = 4;
    let first = RunningWorker::start(&t, cfg.clone()).await;
    let second = RunningWorker::start(&t, cfg).await;
    for chunk in all.chunks(5) {
        enqueue(&db, city, chunk).await;
    }
    wait_status(&t, &all, "sent").await;
    let sent = |w: &RunningWorker| w.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    let (a, b) = (sent(&first), sent(&second));
    first.stop().await;
    second.stop().await;
    assert_eq!(a + b, 40, "sends: {a} + {b}");
    for r in &all {
        assert_eq!(sink.received(r).len(), 1, "{r}");
    }
    let retried: i64 = sqlx::query_scalar(
        "select count(*) from outbox where attempts <> 1 or claimed_by is not null",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("count");
    assert_eq!(retried, 0, "every message took exactly one attempt");
}

#[tokio::test]
async fn a_rolled_back_change_enqueues_nothing_and_wakes_no_worker() {
    let (t, db, city) = fresh().await;
    let other = launch(&t.system().await, "othertown").await.id;
    let mut wakeups = Wakeups::connect(&t.config()).await.expect("listen");
    let lost = address("");
    let mut tx = tenant(&db, city).await;
    outbox::enqueue(
        &mut tx,
        "application_received",
        "k",
        &lost,
        Language::Ru,
        &payload(),
    )
    .await
    .expect("enqueue");
    tx.rollback().await.expect("rollback");
    enqueue(&db, other, &[address("")]).await;
    let first = tokio::time::timeout(WAIT, wakeups.next())
        .await
        .expect("a wake-up")
        .expect("listen");
    assert_eq!(first, Wakeup::City(other));
    let mut tx = tenant(&db, city).await;
    assert!(outbox::counts(&mut tx).await.expect("counts").is_empty());
}

#[tokio::test]
async fn the_same_key_twice_is_one_email() {
    let (t, db, city) = fresh().await;
    let sink = Sink::shared();
    let to = address("");
    for expected in [true, false] {
        let mut tx = tenant(&db, city).await;
        let added = outbox::enqueue(
            &mut tx,
            "application_received",
            "same",
            &to,
            Language::Kk,
            &payload(),
        )
        .await
        .expect("enqueue");
        tx.commit().await.expect("commit");
        assert_eq!(added, expected);
    }
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    wait_status(&t, std::slice::from_ref(&to), "sent").await;
    // A sweep or two later there is still one.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    worker.stop().await;
    assert_eq!(sink.received(&to).len(), 1);
}

#[tokio::test]
async fn a_stopping_worker_finishes_sends_in_flight_and_hands_back_the_rest() {
    let (t, db, city) = fresh().await;
    let sink = Sink::shared();
    // The sink holds each of these for two seconds before answering DATA.
    let all: Vec<String> = (0..6).map(|_| address("slow2")).collect();
    enqueue(&db, city, &all).await;
    let mut cfg = quick_config(&sink.url());
    cfg.batch = 6;
    cfg.concurrency = 2;
    let worker = RunningWorker::start(&t, cfg).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while row(&t, &all[0]).await.0 != "sending" {
        assert!(tokio::time::Instant::now() < deadline, "never claimed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.stop().await;
    let mut sent = 0;
    for r in &all {
        let (status, attempts, _) = row(&t, r).await;
        match status.as_str() {
            "sent" => {
                sent += 1;
                assert_eq!(sink.received(r).len(), 1);
            }
            "pending" => {
                assert_eq!(attempts, 0, "a handed-back claim counts no attempt");
                assert!(sink.received(r).is_empty());
            }
            other => panic!("{r} is {other}"),
        }
    }
    assert_eq!(sent, 2, "the two sends in flight finish; the rest go back");
    let claimed: i64 =
        sqlx::query_scalar("select count(*) from outbox where claimed_by is not null")
            .fetch_one(&mut t.raw().await)
            .await
            .expect("count");
    assert_eq!(claimed, 0);
}
