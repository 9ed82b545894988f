//! Using a reset link: once, in the account's language, ending every
//! session; not after it expired, not after a newer one was asked for, and
//! once only when used twice at the same moment.

use super::{OLD, almaty, request, reset};
use serde_json::{Value, json};
use soi_tests::accounts::{
    GOOD_PASSWORD, admin_with_password, expire_resets, link_token, login_with, wait_for_link,
    wait_for_tokens,
};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes, reason};

const LINK: &str = "reset-password";

/// A seeded gateway with a mail worker, and a new Almaty admin with the
/// password [`OLD`].
async fn admin() -> (TestDb, TestApp, Sink, RunningWorker, String) {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let email = address("");
    admin_with_password(&t.system().await, almaty(&t).await, &email, OLD).await;
    (t, app, sink, worker, email)
}

fn refused_token(body: &Value) {
    assert_eq!(
        reason(body),
        ("BAD_USER_INPUT", "token", "INVALID"),
        "{body}"
    );
}

#[tokio::test]
async fn a_reset_link_works_once_in_the_accounts_language_and_ends_every_session() {
    let (t, app, sink, worker, email) = admin().await;
    sqlx::query("update accounts set language = 'en' where email = $1")
        .bind(&email)
        .execute(&mut t.raw().await)
        .await
        .expect("language");
    let before = login_with(&app, &email, OLD).await;
    let refresh = before["data"]["login"]["refreshToken"]
        .as_str()
        .expect("signed in")
        .to_owned();

    request(&app, "10.4.0.1", &email).await;
    // (A new admin of Almaty also hears of the demo's expiring certificates.)
    let mail = wait_for_link(&sink, &email, LINK).await;
    assert_eq!(mail.subject, "Reset your Students on Ice password");
    let token = link_token(&mail, LINK);

    let weak = reset(&app, &token, "qwertyuiop").await;
    assert_eq!(reason(&weak).1, "newPassword", "{weak}");
    let done = reset(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");
    refused_token(&reset(&app, &token, GOOD_PASSWORD).await);

    let (_, refreshed) = app
        .graphql(
            "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }",
            json!({ "r": refresh }),
        )
        .await;
    assert_eq!(codes(&refreshed), ["UNAUTHENTICATED"], "sessions end");
    assert_eq!(
        codes(&login_with(&app, &email, OLD).await),
        ["UNAUTHENTICATED"]
    );
    let now = login_with(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(now["data"]["login"]["role"], "CHAPTER_ADMIN", "{now}");
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where operation in ('requestPasswordReset', 'resetPassword')",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("audit");
    assert_eq!(audited, 2);
    worker.stop().await;
}

#[tokio::test]
async fn an_expired_reset_link_is_refused_and_the_password_stays() {
    let (t, app, sink, worker, email) = admin().await;
    request(&app, "10.5.0.1", &email).await;
    let token = link_token(&wait_for_link(&sink, &email, LINK).await, LINK);
    expire_resets(&t, &email).await;
    refused_token(&reset(&app, &token, GOOD_PASSWORD).await);
    let old = login_with(&app, &email, OLD).await;
    assert_eq!(old["data"]["login"]["role"], "CHAPTER_ADMIN", "{old}");
    worker.stop().await;
}

#[tokio::test]
async fn a_newer_reset_request_voids_the_older_link() {
    let (_t, app, sink, worker, email) = admin().await;
    request(&app, "10.6.0.1", &email).await;
    let first = wait_for_tokens(&sink, &email, LINK, 1).await.remove(0);
    request(&app, "10.6.0.2", &email).await;
    let both = wait_for_tokens(&sink, &email, LINK, 2).await;
    let second = both
        .into_iter()
        .find(|t| *t != first)
        .expect("a second link");
    refused_token(&reset(&app, &first, GOOD_PASSWORD).await);
    let done = reset(&app, &second, GOOD_PASSWORD).await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");
    let now = login_with(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(now["data"]["login"]["role"], "CHAPTER_ADMIN", "{now}");
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_reset_link_used_twice_at_once_works_once() {
    let (_t, app, sink, worker, email) = admin().await;
    request(&app, "10.7.0.1", &email).await;
    let token = link_token(&wait_for_link(&sink, &email, LINK).await, LINK);
    worker.stop().await;
    let (a, b) = tokio::join!(
        reset(&app, &token, GOOD_PASSWORD),
        reset(&app, &token, "ember willow cobalt summit"),
    );
    let worked = |r: &Value| r["data"]["resetPassword"] == true;
    assert!(worked(&a) != worked(&b), "exactly one works: {a} {b}");
    let (refused, password) = if worked(&a) {
        (&b, GOOD_PASSWORD)
    } else {
        (&a, "ember willow cobalt summit")
    };
    refused_token(refused);
    // The password of the one that worked is the one that holds.
    let now = login_with(&app, &email, password).await;
    assert_eq!(now["data"]["login"]["role"], "CHAPTER_ADMIN", "{now}");
}
