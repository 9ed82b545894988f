//! The operator's way to a new city's first account: `soi city launch
//! --admin` emails an invitation in the chosen language, the admin accepts it
//! over GraphQL and signs in; `soi account invite` does the same for a city
//! that runs already. Without the secret the mail worker opens links with,
//! nothing is launched or invited.

use serde_json::json;
use soi_tests::accounts::{GOOD_PASSWORD, accept, link_token};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TEST_JWT_SECRET, TestApp, TestDb};
use std::time::Duration;
use support::{LAUNCH_AKTAU, ok, soi_with as soi};

mod support;

#[tokio::test]
async fn a_launched_city_gets_its_first_admin_by_an_emailed_invitation() {
    let t = TestDb::new().await;
    let url = t.url();
    let admin = address("");
    // No secret: refused before anything is launched.
    let refused = soi(&url, None, &[LAUNCH_AKTAU, &["--admin", &admin]].concat());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SOI_JWT_SECRET"));
    let cities: i64 = sqlx::query_scalar("select count(*) from cities")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("cities");
    assert_eq!(cities, 0);

    let out = ok(&soi(
        &url,
        Some(TEST_JWT_SECRET),
        &[LAUNCH_AKTAU, &["--admin", &admin, "--language", "kk"]].concat(),
    ));
    assert!(out.contains("launched aktau"), "{out}");
    assert!(out.contains("invited to aktau as chapter_admin"), "{out}");
    assert!(!out.contains(&admin), "the address is not echoed: {out}");

    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let mail = sink
        .wait_for(&admin, 1, Duration::from_secs(30))
        .await
        .remove(0);
    assert_eq!(mail.subject, "Students on Ice шақыруы — Ақтау");
    assert!(
        mail.text
            .contains("https://soi.example/accept-invitation?token=")
    );
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
        json!({ "email": admin, "role": "CHAPTER_ADMIN", "city": "aktau" })
    );

    // A coach for the running city, tied to a coach record.
    let coach = app
        .ok(
            access,
            "mutation($i: CoachInput!) { createCoach(input: $i) { id } }",
            json!({ "i": { "firstName": "Асель", "lastName": "Нұрова", "email": address(""),
                           "qualification": "MASTER_OF_SPORT" } }),
        )
        .await["createCoach"]["id"]
        .as_str()
        .expect("coach")
        .to_owned();
    let coach_email = address("");
    let args = [
        "account",
        "invite",
        "--city",
        "aktau",
        "--role",
        "coach",
        &coach_email,
    ];
    let line =
        String::from_utf8_lossy(&soi(&url, Some(TEST_JWT_SECRET), &args).stderr).into_owned();
    assert!(line.contains("--coach"), "{line}");
    let args = [&args[..], &["--coach", &coach, "--language", "en"]].concat();
    ok(&soi(&url, Some(TEST_JWT_SECRET), &args));
    let mail = sink
        .wait_for(&coach_email, 1, Duration::from_secs(30))
        .await
        .remove(0);
    assert_eq!(mail.subject, "Your invitation to Students on Ice — Aktau");
    let staff = app
        .ok(
            access,
            "{ staff { pendingInvitations { email role coachId } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        staff["staff"]["pendingInvitations"],
        json!([{ "email": coach_email, "role": "COACH", "coachId": coach }])
    );
    let unknown = soi(
        &url,
        Some(TEST_JWT_SECRET),
        &[
            "account",
            "invite",
            "--city",
            "nowhere",
            "--role",
            "chapter-admin",
            &address(""),
        ],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no city nowhere"));
    worker.stop().await;
}
