//! The real `soi worker` process: killed with SIGKILL in the middle of a
//! batch, the messages it had claimed are delivered by the next worker once
//! their lease runs out, with the same Message-ID (a copy may arrive twice,
//! none is lost); stopped with SIGTERM, it exits cleanly. Without the key
//! that opens invitation and reset links it does not start at all.

use soi_tests::mail::{Sink, address, enqueue};
use soi_tests::{TestDb, launch};
use std::collections::HashMap;
use std::time::Duration;
use support::children::{Child, worker};
use support::{one_error_line, soi};

mod support;

const WAIT: Duration = Duration::from_secs(60);

/// The worker with its defaults here (batches of 4, 4 s leases).
fn start(t: &TestDb, smtp_url: &str) -> (Child, String) {
    worker(t, "soi worker", smtp_url, &[])
}

/// (id, recipient, status, claimed_by, attempts) of every message.
async fn rows(t: &TestDb) -> Vec<(uuid::Uuid, String, String, Option<String>, i32)> {
    sqlx::query_as(
        "select id, recipient_email, status, claimed_by, attempts from outbox order by id",
    )
    .fetch_all(&mut t.raw().await)
    .await
    .expect("outbox")
}

#[tokio::test]
async fn a_killed_workers_claims_are_delivered_after_restart_with_the_same_message_id() {
    let t = TestDb::new().await;
    let city = launch(&t.system().await, "killtown").await.id;
    let sink = Sink::shared();
    // The sink holds each message two seconds before answering DATA.
    let recipients: Vec<String> = (0..8).map(|_| address("slow2")).collect();
    enqueue(&t.db().await, city, &recipients).await;

    let (mut first, first_id) = start(&t, &sink.url());
    let deadline = tokio::time::Instant::now() + WAIT;
    while !rows(&t)
        .await
        .iter()
        .any(|r| r.3.as_deref() == Some(first_id.as_str()))
    {
        assert!(tokio::time::Instant::now() < deadline, "nothing claimed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill_now();
    let orphaned: Vec<uuid::Uuid> = rows(&t)
        .await
        .into_iter()
        .filter(|r| r.2 == "sending" && r.3.as_deref() == Some(first_id.as_str()))
        .map(|r| r.0)
        .collect();
    assert_eq!(orphaned.len(), 4, "the killed worker held its whole batch");

    let (mut second, second_id) = start(&t, &sink.url());
    assert_ne!(first_id, second_id);
    let deadline = tokio::time::Instant::now() + WAIT;
    while rows(&t).await.iter().any(|r| r.2 != "sent") {
        assert!(tokio::time::Instant::now() < deadline, "not all sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // SIGTERM: a clean stop.
    second.signal("TERM");
    let exit = second.exit(WAIT).await;
    assert!(exit.success(), "{exit:?}");

    let by_recipient: HashMap<String, uuid::Uuid> =
        rows(&t).await.into_iter().map(|r| (r.1, r.0)).collect();
    let mut copies = 0;
    for r in &recipients {
        let got = sink.received(r);
        assert!(!got.is_empty(), "{r}: lost");
        let id = format!("<{}@soi.kz>", by_recipient[r]);
        for m in &got {
            assert_eq!(m.message_id, id, "{r}: every copy has the same Message-ID");
        }
        copies += got.len();
    }
    for (id, _, _, _, attempts) in rows(&t).await {
        if orphaned.contains(&id) {
            assert!(attempts >= 2, "an orphaned claim is tried again");
        }
    }
    eprintln!(
        "{} messages, {copies} copies received ({} sent twice)",
        recipients.len(),
        copies - recipients.len()
    );
}

#[test]
fn the_worker_refuses_to_start_without_the_key_that_opens_links() {
    // Refused before it reaches for the database (nothing listens there).
    let line = one_error_line(&soi("postgres://soi@127.0.0.1:9/soi", &["worker"]));
    assert!(line.contains("SOI_JWT_SECRET must be set"), "{line}");
    assert!(line.contains("mail worker"), "{line}");
}
