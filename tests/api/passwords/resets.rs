//! Using a reset link: once, in the account's language, ending every
//! session.

use super::{OLD, almaty, request, reset};
use serde_json::{Value, json};
use soi_tests::accounts::{
    GOOD_PASSWORD, admin_with_password, link_token, login_with, wait_for_link,
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
