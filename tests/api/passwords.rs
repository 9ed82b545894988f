//! Forgotten and changed passwords: a reset request answers the same for
//! known and unknown addresses and is limited per address; the emailed link
//! works once, in the account's language, and ends every session; a new
//! password must pass the policy; changing one needs the current one.

use serde_json::{Value, json};
use soi_tests::accounts::{
    GOOD_PASSWORD, admin_with_password, link_token, login_with, wait_for_link,
};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes};
use std::time::{Duration, Instant};

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const RESET: &str =
    "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }";
const OLD: &str = "violet harbor quartz lantern";

async fn almaty(t: &TestDb) -> soi_core::CityId {
    let sys = t.system().await;
    sys.city_by_slug("almaty")
        .await
        .expect("cities")
        .expect("almaty")
        .id
}

/// A request's answer and how long it took, from a client of its own.
async fn request(app: &TestApp, client: &str, email: &str) -> (Value, Duration) {
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
        let (kb, kt) = request(&app, &format!("10.1.0.{i}"), k).await;
        let (ub, ut) = request(&app, &format!("10.2.0.{i}"), u).await;
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
        let (body, _) = request(&app, &format!("10.3.0.{i}"), &email).await;
        assert_eq!(body["data"]["requestPasswordReset"], true, "{body}");
    }
    let (body, _) = request(&app, "10.3.0.9", &email).await;
    assert_eq!(codes(&body), ["RATE_LIMITED"], "{body}");
}

#[tokio::test]
async fn a_reset_link_works_once_in_the_accounts_language_and_ends_every_session() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let (sys, city) = (t.system().await, almaty(&t).await);
    let email = address("");
    admin_with_password(&sys, city, &email, OLD).await;
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
    let mail = wait_for_link(&sink, &email, "reset-password").await;
    assert_eq!(mail.subject, "Reset your Students on Ice password");
    let token = link_token(&mail, "reset-password");

    let (_, weak) = app
        .graphql(RESET, json!({ "t": token, "p": "qwertyuiop" }))
        .await;
    assert_eq!(
        weak["errors"][0]["extensions"]["field"], "newPassword",
        "{weak}"
    );
    let (_, done) = app
        .graphql(RESET, json!({ "t": token, "p": GOOD_PASSWORD }))
        .await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");
    let (_, again) = app
        .graphql(RESET, json!({ "t": token, "p": GOOD_PASSWORD }))
        .await;
    assert_eq!(
        again["errors"][0]["extensions"]["field"], "token",
        "{again}"
    );

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
async fn changing_a_password_needs_the_current_one_and_keeps_only_this_session() {
    let (t, app) = TestApp::seeded().await;
    let (sys, city) = (t.system().await, almaty(&t).await);
    let email = address("");
    admin_with_password(&sys, city, &email, OLD).await;
    let first = login_with(&app, &email, OLD).await;
    let other = login_with(&app, &email, OLD).await;
    let access = first["data"]["login"]["accessToken"]
        .as_str()
        .expect("token");
    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken refreshToken } }";
    let wrong = app
        .ask(
            access,
            change,
            json!({ "c": "not it at all", "n": GOOD_PASSWORD }),
        )
        .await;
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"], "currentPassword",
        "{wrong}"
    );
    let weak = app
        .ask(access, change, json!({ "c": OLD, "n": "short" }))
        .await;
    assert_eq!(
        weak["errors"][0]["extensions"]["field"], "newPassword",
        "{weak}"
    );
    let changed = app
        .ok(access, change, json!({ "c": OLD, "n": GOOD_PASSWORD }))
        .await;
    let fresh = changed["changePassword"]["accessToken"]
        .as_str()
        .expect("a new pair");
    let me = app.ok(fresh, "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], email.as_str());
    let (_, refreshed) = app
        .graphql(
            "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }",
            json!({ "r": other["data"]["login"]["refreshToken"] }),
        )
        .await;
    assert_eq!(
        codes(&refreshed),
        ["UNAUTHENTICATED"],
        "the other session ended"
    );
    assert_eq!(
        login_with(&app, &email, GOOD_PASSWORD).await["data"]["login"]["role"],
        "CHAPTER_ADMIN"
    );
}
