//! Invitations: the only way to an account. A chapter admin invites, the
//! invitee reads the link in the email the SMTP sink received, accepts once
//! and is signed in; used, revoked, expired and unknown tokens are refused
//! with their reason, and the token is never stored where it could be read.

use serde_json::{Value, json};
use soi_tests::accounts::{
    GOOD_PASSWORD, accept, invite_staff, link_token, login_with, wait_for_link,
};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, codes, reason};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A new coach record of the admin's city (no account yet); its id.
async fn new_coach(app: &TestApp, admin: &str) -> String {
    let input = json!({ "firstName": "Ержан", "lastName": "Сапаров", "email": address(""),
                        "qualification": "CERTIFIED_COACH" });
    let body = app
        .ok(
            admin,
            "mutation($i: CoachInput!) { createCoach(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    body["createCoach"]["id"]
        .as_str()
        .expect("coach id")
        .to_owned()
}

#[tokio::test]
async fn a_coach_invited_by_email_accepts_once_and_signs_in() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let coach = new_coach(&app, &admin).await;
    let email = address("");
    let invited = invite_staff(&app, &admin, &email, "COACH", Some(&coach), "KK").await;
    assert_eq!(invited["data"]["inviteStaff"]["role"], "COACH", "{invited}");
    assert_eq!(invited["data"]["inviteStaff"]["coachId"], coach.as_str());

    let mail = wait_for_link(&sink, &email, "accept-invitation").await;
    assert!(
        mail.subject.starts_with("Students on Ice шақыруы"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("жаттықтырушысы"), "{}", mail.text);
    let token = link_token(&mail, "accept-invitation");
    assert!(
        mail.html.contains(&token),
        "the HTML part carries the link too"
    );
    // Stored only as a hash: neither the invitation nor the outbox row holds it.
    let mut raw = t.raw().await;
    let leaked: i64 = sqlx::query_scalar(
        "select (select count(*) from invitations where position($1 in row(invitations.*)::text) > 0) \
              + (select count(*) from outbox where position($1 in row(outbox.*)::text) > 0)",
    )
    .bind(&token)
    .fetch_one(&mut raw)
    .await
    .expect("search");
    assert_eq!(leaked, 0, "the token is stored readable");

    let weak = accept(&app, &token, "password123").await;
    assert_eq!(reason(&weak).0, "BAD_USER_INPUT", "{weak}");
    assert_eq!(reason(&weak).1, "password");
    let local = email.split('@').next().expect("local part");
    let own = accept(&app, &token, &format!("{local} {GOOD_PASSWORD}")).await;
    assert_eq!(
        reason(&own).1,
        "password",
        "a password with the address: {own}"
    );

    let accepted = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(
        accepted["data"]["acceptInvitation"]["role"], "COACH",
        "{accepted}"
    );
    let access = accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .expect("signed in");
    let me = app
        .ok(access, "{ me { email role city } }", json!({}))
        .await;
    assert_eq!(
        me["me"],
        json!({ "email": email, "role": "COACH", "city": "almaty" })
    );
    // Once only, and the failed attempts did not use it up.
    let again = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(
        reason(&again),
        ("BAD_USER_INPUT", "token", "USED"),
        "{again}"
    );
    let signed = login_with(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(signed["data"]["login"]["role"], "COACH", "{signed}");

    let staff = app
        .ok(
            &admin,
            "{ staff { accounts { email role coachId status lastSignInAt } pendingInvitations { email } } }",
            json!({}),
        )
        .await;
    let row = staff["staff"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["email"] == email.as_str())
        .unwrap_or_else(|| panic!("{staff}"))
        .clone();
    assert_eq!(row["coachId"], coach.as_str());
    assert_eq!(row["status"], "ACTIVE");
    assert!(row["lastSignInAt"].is_string(), "{row}");
    assert!(
        !staff["staff"]["pendingInvitations"]
            .as_array()
            .expect("pending")
            .iter()
            .any(|i| i["email"] == email.as_str())
    );
    // The city's audit log has the invitation and the acceptance.
    let ops: Vec<String> = sqlx::query_scalar(
        "select operation from audit_log where operation in ('inviteStaff', 'acceptInvitation', 'login') order by id",
    )
    .fetch_all(&mut raw)
    .await
    .expect("audit");
    for op in ["inviteStaff", "acceptInvitation", "login"] {
        assert!(ops.iter().any(|o| o == op), "{op} not audited: {ops:?}");
    }
    worker.stop().await;
}

#[tokio::test]
async fn revoked_expired_replaced_and_unknown_tokens_are_refused_with_their_reason() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (revoked, expired, replaced) = (address(""), address(""), address(""));
    let first = invite_staff(&app, &admin, &revoked, "CHAPTER_ADMIN", None, "EN").await;
    let id = first["data"]["inviteStaff"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    invite_staff(&app, &admin, &expired, "CHAPTER_ADMIN", None, "RU").await;
    invite_staff(&app, &admin, &replaced, "CHAPTER_ADMIN", None, "EN").await;
    invite_staff(&app, &admin, &replaced, "CHAPTER_ADMIN", None, "EN").await;
    let done = app
        .ok(
            &admin,
            "mutation($id: ID!) { revokeInvitation(invitationId: $id) { revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(done["revokeInvitation"]["revokedAt"].is_string());
    let twice = app
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { revokeInvitation(invitationId: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .1;
    assert_eq!(codes(&twice), ["CONFLICT"]);
    sqlx::query(
        "update invitations set created_at = now() - interval '4 days', expires_at = now() - interval '1 day' \
         where email = $1",
    )
    .bind(&expired)
    .execute(&mut t.raw().await)
    .await
    .expect("expire");

    let token = |to: &str, n: usize| {
        let to = to.to_owned();
        let sink = &sink;
        async move {
            let mails = sink.wait_for(&to, n, WAIT).await;
            link_token(&mails[n - 1], "accept-invitation")
        }
    };
    let r = accept(&app, &token(&revoked, 1).await, GOOD_PASSWORD).await;
    assert_eq!(reason(&r), ("BAD_USER_INPUT", "token", "REVOKED"), "{r}");
    let r = accept(&app, &token(&expired, 1).await, GOOD_PASSWORD).await;
    assert_eq!(reason(&r), ("BAD_USER_INPUT", "token", "EXPIRED"), "{r}");
    // Inviting again replaced the first link: it is revoked, the second
    // works (the sink's file order is not the sending order, so both are
    // tried and exactly one must work).
    let (a, b) = (token(&replaced, 1).await, token(&replaced, 2).await);
    assert_ne!(a, b);
    let (ra, rb) = (
        accept(&app, &a, GOOD_PASSWORD).await,
        accept(&app, &b, GOOD_PASSWORD).await,
    );
    let worked = |r: &Value| r["data"]["acceptInvitation"]["role"] == "CHAPTER_ADMIN";
    assert!(worked(&ra) != worked(&rb), "{ra} {rb}");
    let (new, refused) = if worked(&ra) { (a, rb) } else { (b, ra) };
    assert_eq!(
        reason(&refused),
        ("BAD_USER_INPUT", "token", "REVOKED"),
        "{refused}"
    );
    for bad in ["", "not-a-token", &"x".repeat(500), &new[..new.len() - 1]] {
        let r = accept(&app, bad, GOOD_PASSWORD).await;
        assert_eq!(
            reason(&r),
            ("BAD_USER_INPUT", "token", "UNKNOWN"),
            "{bad}: {r}"
        );
    }
    worker.stop().await;
}

#[tokio::test]
async fn only_a_citys_admins_invite_and_what_an_account_acts_as_is_checked() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let coach_token = app.login("coach@almaty.soi.test").await;
    let r = invite_staff(
        &app,
        &coach_token,
        &address(""),
        "CHAPTER_ADMIN",
        None,
        "RU",
    )
    .await;
    assert_eq!(codes(&r), ["FORBIDDEN"]);
    let r = invite_staff(&app, &admin, &address(""), "COACH", None, "RU").await;
    assert_eq!(
        reason(&r).0,
        "BAD_USER_INPUT",
        "a coach needs a coach record: {r}"
    );
    let r = invite_staff(&app, &admin, "not an email", "CHAPTER_ADMIN", None, "RU").await;
    assert_eq!(reason(&r).1, "email", "{r}");
    // The demo coach's record has an account already.
    let staff = app
        .ok(
            &admin,
            "{ staff { accounts { email coachId } } }",
            json!({}),
        )
        .await;
    let taken = staff["staff"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find_map(|a| a["coachId"].as_str())
        .expect("a coach account")
        .to_owned();
    let r = invite_staff(&app, &admin, &address(""), "COACH", Some(&taken), "RU").await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    // An address with an account in this city.
    let r = invite_staff(
        &app,
        &admin,
        "coach@almaty.soi.test",
        "CHAPTER_ADMIN",
        None,
        "RU",
    )
    .await;
    assert_eq!(codes(&r), ["CONFLICT"], "{r}");
    // Another city's admin neither sees nor revokes Almaty's invitation.
    let made = invite_staff(&app, &admin, &address(""), "CHAPTER_ADMIN", None, "RU").await;
    let id = made["data"]["inviteStaff"]["id"].as_str().expect("id");
    let astana = app.login("admin@astana.soi.test").await;
    let r = app
        .graphql_as(
            Some(&astana),
            "mutation($id: ID!) { revokeInvitation(invitationId: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .1;
    assert_eq!(codes(&r), ["NOT_FOUND"], "{r}");
    let theirs = app
        .ok(
            &astana,
            "{ staff { pendingInvitations { id } } }",
            json!({}),
        )
        .await;
    assert!(!theirs.to_string().contains(id), "{theirs}");
}
