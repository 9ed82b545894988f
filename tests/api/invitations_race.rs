//! One invitation accepted by two requests at the same moment: the
//! invitation row is locked while it is accepted, so exactly one account is
//! made and the other request hears the link was used.

use serde_json::Value;
use soi_tests::accounts::{GOOD_PASSWORD, accept, invite_staff, link_token, wait_for_link};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, reason};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_invitation_accepted_twice_at_once_makes_one_account() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let email = address("");
    let invited = invite_staff(&app, &admin, &email, "CHAPTER_ADMIN", None, "EN").await;
    assert!(invited["errors"].is_null(), "{invited}");
    let mail = wait_for_link(&sink, &email, "accept-invitation").await;
    let token = link_token(&mail, "accept-invitation");
    worker.stop().await;

    let (a, b) = tokio::join!(
        accept(&app, &token, GOOD_PASSWORD),
        accept(&app, &token, GOOD_PASSWORD),
    );
    let worked = |r: &Value| r["data"]["acceptInvitation"]["role"] == "CHAPTER_ADMIN";
    assert!(worked(&a) != worked(&b), "exactly one works: {a} {b}");
    let refused = if worked(&a) { &b } else { &a };
    assert_eq!(
        reason(refused),
        ("BAD_USER_INPUT", "token", "USED"),
        "{refused}"
    );
    let accounts: i64 = sqlx::query_scalar("select count(*) from accounts where email = $1")
        .bind(&email)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("accounts");
    assert_eq!(accounts, 1);
}
