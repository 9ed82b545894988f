//! The alliance's accounts: `soi account invite --national` emails an
//! invitation from the national mailbox (no city ever sees it), the invitee
//! accepts over GraphQL and signs in to aggregates only; a forgotten password
//! is reset through the same mailbox; every step lands in the national audit
//! log, with ids and never an address.

use serde_json::{Value, json};
use soi_tests::accounts::{GOOD_PASSWORD, accept, link_token, login_with};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TEST_JWT_SECRET, TestApp, TestDb, codes};
use std::process::Output;
use std::time::Duration;

mod support;

/// `soi args` with the test gateway's secret (the worker opens its links).
fn soi(url: &str, args: &[&str]) -> Output {
    support::soi_with(url, Some(TEST_JWT_SECRET), args)
}

/// The national audit log's operations, in order, and whether any row
/// holds the address.
async fn national_audit(t: &TestDb, email: &str) -> (Vec<String>, bool) {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select operation, to_jsonb(l)::text from national_audit_log l \
         where operation <> 'loginFailed' order by at",
    )
    .fetch_all(&mut t.raw().await)
    .await
    .expect("national audit");
    let leaks = rows.iter().any(|(_, row)| row.contains(email));
    (rows.into_iter().map(|(op, _)| op).collect(), leaks)
}

const NATIONAL: &str = "query($f: YearMonth!, $t: YearMonth!) { nationalReport(from: $f, to: $t) { totals { applicants } } }";

#[tokio::test]
async fn the_operator_invites_a_national_account_that_sees_aggregates_only() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    let url = t.url();
    let email = address("");
    let out = soi(
        &url,
        &[
            "account",
            "invite",
            "--national",
            &email,
            "--language",
            "en",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("invited to a national account"), "{stdout}");
    assert!(
        !stdout.contains(&email),
        "the address is not echoed: {stdout}"
    );

    // The email waits in the national mailbox, which no city's scope sees.
    let mut app_conn = t.raw_app().await;
    for (city_scope, expected) in [("", 1i64), ("almaty", 0)] {
        let city: String = if city_scope.is_empty() {
            String::new()
        } else {
            sqlx::query_scalar("select id::text from cities where slug = $1")
                .bind(city_scope)
                .fetch_one(&mut t.raw().await)
                .await
                .expect("city")
        };
        sqlx::query("select set_config('soi.city_id', $1, false)")
            .bind(&city)
            .execute(&mut app_conn)
            .await
            .expect("scope");
        let seen: i64 = sqlx::query_scalar("select count(*) from national_outbox")
            .fetch_one(&mut app_conn)
            .await
            .expect("national outbox");
        assert_eq!(seen, expected, "scope '{city_scope}'");
    }
    let in_cities: i64 =
        sqlx::query_scalar("select count(*) from outbox where recipient_email = $1")
            .bind(&email)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("outbox");
    assert_eq!(in_cities, 0);

    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let mail = sink
        .wait_for(&email, 1, Duration::from_secs(30))
        .await
        .remove(0);
    assert_eq!(
        mail.subject,
        "Your invitation to Students on Ice — Kazakhstan"
    );
    assert!(mail.text.contains("national alliance"), "{}", mail.text);
    let token = link_token(&mail, "accept-invitation");

    let app = TestApp::spawn(&t).await;
    let accepted = accept(&app, &token, GOOD_PASSWORD).await;
    let access = accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{accepted}"));
    let me = app
        .ok(access, "{ me { email role city } }", json!({}))
        .await;
    assert_eq!(
        me["me"],
        json!({ "email": email, "role": "NATIONAL", "city": null })
    );
    let months = json!({ "f": "2026-01", "t": "2026-12" });
    let totals = app.ok(access, NATIONAL, months.clone()).await;
    assert!(
        totals["nationalReport"]["totals"]["applicants"].is_number(),
        "{totals}"
    );
    // City data stays closed to a national account.
    let city_query = app
        .ask(
            access,
            "{ staff { pendingInvitations { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&city_query), ["FORBIDDEN"], "{city_query}");
    // The token worked once.
    let again = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(
        again["errors"][0]["extensions"]["reason"], "USED",
        "{again}"
    );

    // Inviting an address that has an account is refused, and nothing is sent.
    let out = soi(&url, &["account", "invite", "--national", &email]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exists"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A forgotten password: the reset link comes from the national mailbox.
    let (_, body) = app
        .graphql(
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({ "e": email }),
        )
        .await;
    assert_eq!(body, json!({ "data": { "requestPasswordReset": true } }));
    let mails = sink.wait_for(&email, 2, Duration::from_secs(30)).await;
    let reset = mails
        .iter()
        .find(|m| m.text.contains("reset-password?token="))
        .expect("the reset email");
    assert_eq!(reset.subject, "Reset your Students on Ice password");
    let new_password = "amber glacier violin meadow";
    let (_, body) = app
        .graphql(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }",
            json!({ "t": link_token(reset, "reset-password"), "p": new_password }),
        )
        .await;
    assert_eq!(body, json!({ "data": { "resetPassword": true } }));
    let old = login_with(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(codes(&old), ["UNAUTHENTICATED"], "{old}");
    let new = login_with(&app, &email, new_password).await;
    let access = new["data"]["login"]["accessToken"]
        .as_str()
        .expect("signed in");
    app.ok(access, NATIONAL, months).await;

    let (operations, leaks) = national_audit(&t, &email).await;
    assert_eq!(
        operations,
        [
            "inviteNational",
            "acceptInvitation",
            "login",
            "requestPasswordReset",
            "resetPassword",
            "login"
        ]
    );
    assert!(!leaks, "an address in the national audit log");
    worker.stop().await;
}

/// A national mailbox message the worker cannot open (no secret) is parked
/// like a city's, never sent without its link.
#[tokio::test]
async fn a_national_email_without_its_secret_is_parked_not_sent() {
    let t = TestDb::new().await;
    let email = address("");
    let out = soi(&t.url(), &["account", "invite", "--national", &email]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sink = Sink::shared();
    let mut cfg = quick_config(&sink.url());
    cfg.sealer = None;
    let worker = RunningWorker::start(&t, cfg).await;
    let mut status = Value::Null;
    for _ in 0..100 {
        let row: (String, Option<String>) = sqlx::query_as(
            "select status, last_error from national_outbox where recipient_email = $1",
        )
        .bind(&email)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("row");
        status = json!([row.0, row.1]);
        if row.0 == "parked" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status[0], "parked", "{status}");
    assert!(status[1].as_str().unwrap_or("").contains("SOI_JWT_SECRET"));
    assert!(sink.received(&email).is_empty());
    worker.stop().await;
}
