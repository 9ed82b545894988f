//! Email after a withdrawal of consent: the confirmation goes out (the law
//! requires it), every other kind to the person is parked, never sent.

use serde_json::json;
use soi_tests::mail::{RunningWorker, Sink, address, payload, quick_config};
use soi_tests::{TestApp, TestDb, tenant};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn status_of(t: &TestDb, key: &str) -> Option<(String, Option<String>)> {
    sqlx::query_as("select status, last_error from outbox where idempotency_key = $1")
        .bind(key)
        .fetch_optional(&mut t.raw().await)
        .await
        .expect("outbox")
}

#[tokio::test]
async fn after_a_withdrawal_only_the_confirmation_is_sent_and_other_emails_are_parked() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = app.new_season(&admin, "Consent", 5, false).await;
    let email = address("");
    let input = json!({ "firstName": "Дана", "lastName": "Омарова", "email": email,
                        "preferredLanguage": "EN", "consentGiven": true, "consentTextVersion": "2026-09" });
    let applied = app
        .graphql(
            "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }",
            json!({ "c": "almaty", "s": season, "i": input }),
        )
        .await
        .1;
    assert!(applied["errors"].is_null(), "{applied}");
    sink.wait_for(&email, 1, WAIT).await;
    let participant: String =
        sqlx::query_scalar("select id::text from participants where email = $1")
            .bind(&email)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("participant");
    let done = app
        .ok(
            &admin,
            "mutation($p: ID!) { withdrawConsent(participantId: $p) { participant { erasureDueAt } } }",
            json!({ "p": participant }),
        )
        .await;
    let due = done["withdrawConsent"]["participant"]["erasureDueAt"]
        .as_str()
        .expect("due")
        .to_owned();
    let mails = sink.wait_for(&email, 2, WAIT).await;
    let confirmation = mails
        .iter()
        .find(|m| m.subject.starts_with("Consent withdrawn"))
        .unwrap_or_else(|| panic!("{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    assert!(confirmation.text.contains("Дана"), "{}", confirmation.text);
    assert!(
        confirmation.text.contains("erased on"),
        "{}",
        confirmation.text
    );
    assert!(!due.is_empty());

    // Any other email to them (here, another application notice) is parked.
    let city = t.city("almaty").await.id;
    let db = t.db().await;
    let mut tx = tenant(&db, city).await;
    let key = format!("privacy-test:{participant}");
    soi_db::mail::outbox::enqueue(
        &mut tx,
        "application_received",
        &key,
        &email,
        soi_core::Language::En,
        &payload(),
    )
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
    let deadline = tokio::time::Instant::now() + WAIT;
    let parked = loop {
        match status_of(&t, &key).await {
            Some((s, why)) if s == "parked" => break why,
            other => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "not parked: {other:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(parked.as_deref(), Some(soi_mail::worker::WITHDRAWN));
    assert_eq!(sink.received(&email).len(), 2, "nothing else was sent");
    worker.stop().await;
    db.close().await;
}
