//! One city's backlog does not hold up another city's mail: the worker
//! takes each city's batch in turn, and a city whose mail came due during a
//! batch is next, however much the busy city still has waiting.

use soi_tests::mail::{RunningWorker, Sink, address, enqueue, quick_config, wait_status};
use soi_tests::{TestDb, launch};
use std::time::Duration;

#[tokio::test]
async fn a_city_with_a_backlog_does_not_keep_another_waiting() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let busy = launch(&sys, "busytown").await.id;
    let quiet = launch(&sys, "quiettown").await.id;
    let db = t.db().await;
    let sink = Sink::shared();
    let mut cfg = quick_config(&sink.url());
    (cfg.batch, cfg.concurrency) = (2, 2);
    // No sweep of every city during the test: only wake-ups bring mail.
    cfg.sweep_every = Duration::from_secs(600);
    let worker = RunningWorker::start(&t, cfg).await;
    // Its first sweep (at start) done, the worker waits for wake-ups.
    let probes = vec![address(""), address("")];
    enqueue(&db, busy, &probes[..1]).await;
    enqueue(&db, quiet, &probes[1..]).await;
    wait_status(&t, &probes, "sent").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Six messages the sink holds a second each: three batches of busytown.
    let backlog: Vec<String> = (0..6).map(|_| address("slow1")).collect();
    enqueue(&db, busy, &backlog).await;
    wait_status_any(&t, &backlog, "sending").await;
    // Due while busytown's first batch is being sent.
    let waiting = vec![address("")];
    enqueue(&db, quiet, &waiting).await;
    let all: Vec<String> = backlog.iter().chain(&waiting).cloned().collect();
    wait_status(&t, &all, "sent").await;
    worker.stop().await;

    let order: Vec<String> = sqlx::query_scalar(
        "select recipient_email from outbox where recipient_email = any($1) order by sent_at",
    )
    .bind(&all)
    .fetch_all(&mut t.raw().await)
    .await
    .expect("sent");
    let after = order.len() - 1 - order.iter().position(|r| r == &waiting[0]).expect("sent");
    // Two batches of busytown at most before it (the one in flight when it
    // came due, and one begun at that moment), so one batch at least after.
    assert!(
        after >= 2,
        "quiettown waited for busytown's backlog: {order:?}"
    );
}

/// Waits (at most 30 s) until some message to `recipients` is in `status`.
async fn wait_status_any(t: &TestDb, recipients: &[String], status: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from outbox where recipient_email = any($1) and status = $2",
        )
        .bind(recipients)
        .bind(status)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("count");
        if n > 0 {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "none {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
