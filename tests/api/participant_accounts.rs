//! Invitations to participants' own accounts (from an accepted
//! application), an address with an account in another city, and an
//! invitation the worker cannot open the link of.

use serde_json::json;
use soi_tests::accounts::{GOOD_PASSWORD, accept, invite_staff, link_token};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn an_accepted_participant_is_invited_to_their_account_and_an_address_taken_elsewhere_is_a_conflict()
 {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = app.new_season(&admin, "Invited", 5, false).await;
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
    let application = applied["data"]["applyToSeason"]["applicationId"]
        .as_str()
        .unwrap_or_else(|| panic!("{applied}"))
        .to_owned();
    let participant: String =
        sqlx::query_scalar("select participant_id::text from enrollments where id = $1::uuid")
            .bind(&application)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("participant");
    let invite =
        "mutation($p: ID!) { inviteParticipant(participantId: $p) { role email language } }";
    // Not yet accepted: no account.
    let r = app
        .graphql_as(Some(&admin), invite, json!({ "p": participant }))
        .await
        .1;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    app.ok(
        &admin,
        "mutation($id: ID!) { decideApplication(id: $id, decision: ACCEPT) { status } }",
        json!({ "id": application }),
    )
    .await;
    let made = app.ok(&admin, invite, json!({ "p": participant })).await;
    assert_eq!(
        made["inviteParticipant"],
        json!({ "role": "PARTICIPANT", "email": email, "language": "EN" })
    );
    let mails = sink.wait_for(&email, 3, WAIT).await;
    let invitation = mails
        .iter()
        .find(|m| m.subject.starts_with("Your invitation to Students on Ice"))
        .unwrap_or_else(|| panic!("{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    let token = link_token(invitation, "accept-invitation");
    let r = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(r["data"]["acceptInvitation"]["role"], "PARTICIPANT", "{r}");
    let access = r["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .expect("token");
    let mine = app
        .ok(access, "{ myProfile { id email } }", json!({}))
        .await;
    assert_eq!(
        mine["myProfile"],
        json!({ "id": participant, "email": email }),
        "the account acts as the invited participant"
    );

    // Astana invites the same address: accepting finds it taken.
    let astana = app.login("admin@astana.soi.test").await;
    invite_staff(&app, &astana, &email, "CHAPTER_ADMIN", None, "EN").await;
    let later = sink.wait_for(&email, mails.len() + 1, WAIT).await;
    let token = link_token(later.last().expect("mail"), "accept-invitation");
    let r = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    worker.stop().await;
}

#[tokio::test]
async fn an_invitation_without_the_mail_secret_is_parked_not_sent_without_its_link() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    let app = TestApp::spawn(&t).await;
    let sink = Sink::shared();
    let mut cfg = quick_config(&sink.url());
    cfg.sealer = Some(soi_auth::Sealer::new(
        &"another secret, another secret, another".to_owned().into(),
    ));
    let worker = RunningWorker::start(&t, cfg).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let email = address("");
    invite_staff(&app, &admin, &email, "CHAPTER_ADMIN", None, "RU").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let status = loop {
        let s: String = sqlx::query_scalar("select status from outbox where recipient_email = $1")
            .bind(&email)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("outbox");
        if s == "parked" || tokio::time::Instant::now() > deadline {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, "parked");
    assert!(sink.received(&email).is_empty());
    worker.stop().await;
}
