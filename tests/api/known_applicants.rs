//! Applying with an address the city already knows: the public answer is
//! the same as for a new address, nothing of the known person changes, and
//! the application counts only once the address's owner follows the link
//! emailed to it. Every application records its own consent.

use serde_json::{Value, json};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes};

const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";
const CONFIRM: &str = "mutation($c: String!, $t: String!) { confirmApplication(city: $c, token: $t) { applicationId status } }";

fn form(email: &str, first: &str, phone: &str, version: &str) -> Value {
    json!({ "firstName": first, "lastName": "Серікова", "email": email, "phone": phone,
            "preferredLanguage": "KK", "consentGiven": true, "consentTextVersion": version,
            "motivation": format!("{first} wants to skate") })
}

/// What a person's record holds that a stranger must not change.
async fn record(t: &TestDb, email: &str) -> (String, Option<String>, String, String) {
    sqlx::query_as(
        "select first_name, phone, consent_text_version, consent_given_at::text \
         from participants where email = $1",
    )
    .bind(email)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("record")
}

/// `(season id, status, consent text version, motivation)` of the person's
/// applications.
async fn applications(t: &TestDb, email: &str) -> Vec<(String, String, String, Option<String>)> {
    sqlx::query_as(
        "select e.season_id::text, e.status, e.consent_text_version, e.motivation \
         from enrollments e join participants p on p.city_id = e.city_id and p.id = e.participant_id \
         where p.email = $1 order by e.applied_at",
    )
    .bind(email)
    .fetch_all(&mut t.raw().await)
    .await
    .expect("applications")
}

/// The answer's shape with the id blanked: what a stranger could compare.
fn shape(body: &Value) -> Value {
    let mut b = body.clone();
    let id = &mut b["data"]["applyToSeason"]["applicationId"];
    assert!(
        id.as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .is_some(),
        "{body}"
    );
    *id = Value::Null;
    b
}

#[tokio::test]
async fn a_known_address_gets_the_answer_a_new_one_gets_and_changes_nothing() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = app.new_season(&admin, "Answers alike", 10, true).await;
    let known = address("known");
    let (s1, first) = app
        .graphql_from(
            "10.1.0.1",
            APPLY,
            json!({ "c": "almaty", "s": season, "i": form(&known, "Айгерім", "+7 701 555 00 11", "2026-09") }),
        )
        .await;
    let before = record(&t, &known).await;
    // A stranger types the same address: once for the same season, once
    // with someone else's name; a new address for comparison.
    let (s2, again) = app
        .graphql_from(
            "10.1.0.2",
            APPLY,
            json!({ "c": "almaty", "s": season, "i": form(&known, "Мошенник", "+7 777 000 00 00", "2026-12") }),
        )
        .await;
    let (s3, fresh) = app
        .graphql_from(
            "10.1.0.3",
            APPLY,
            json!({ "c": "almaty", "s": season, "i": form(&address("new"), "Дана", "+7 701 555 00 12", "2026-12") }),
        )
        .await;
    assert_eq!((s1, s2, s3), (200, 200, 200));
    assert_eq!(shape(&again), shape(&fresh), "known vs new address");
    assert_eq!(shape(&first), shape(&fresh));
    assert_ne!(
        again["data"]["applyToSeason"]["applicationId"],
        first["data"]["applyToSeason"]["applicationId"]
    );
    assert_eq!(record(&t, &known).await, before, "the record is unchanged");
    let stored = applications(&t, &known).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0].3.as_deref(),
        Some("Айгерім wants to skate"),
        "the stranger's motivation went nowhere"
    );
}

#[tokio::test]
async fn a_strangers_application_with_a_known_address_counts_only_once_its_owner_confirms() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let first_season = app.new_season(&admin, "First season", 10, false).await;
    let second_season = app.new_season(&admin, "Second season", 10, true).await;
    let known = address("owner");
    let (_, first) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": first_season, "i": form(&known, "Айгерім", "+7 701 555 00 11", "2026-09") }),
        )
        .await;
    assert!(codes(&first).is_empty(), "{first}");
    let before = record(&t, &known).await;

    let (_, other) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": second_season, "i": form(&known, "Другая", "+7 777 000 00 00", "2026-12") }),
        )
        .await;
    let id = other["data"]["applyToSeason"]["applicationId"]
        .as_str()
        .unwrap_or_else(|| panic!("{other}"))
        .to_owned();
    assert_eq!(applications(&t, &known).await.len(), 1, "not yet counted");
    assert_eq!(record(&t, &known).await, before);

    // The owner's email, in their language, with their stored name.
    let path = "confirm-application/almaty";
    let mail = soi_tests::accounts::wait_for_link(&sink, &known, path).await;
    assert!(mail.text.contains("Айгерім"), "{}", mail.text);
    assert!(!mail.text.contains("Другая"), "{}", mail.text);
    let token = soi_tests::accounts::link_token(&mail, path);

    // Opening the link changes nothing (mail scanners open links).
    let http = reqwest::Client::new();
    let link = app.url(&format!("/{path}?token={token}"));
    let page = http.get(&link).send().await.expect("get");
    assert_eq!(page.status(), 200);
    assert_eq!(applications(&t, &known).await.len(), 1);

    // The button confirms: the application takes the id the form answered,
    // with the consent given now to the text version the form showed.
    let confirmed = http.post(&link).send().await.expect("post");
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.expect("page").contains("confirmed"));
    let stored = applications(&t, &known).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[0].0, first_season);
    assert_eq!(
        stored[0].2, "2026-09",
        "the first application keeps its consent"
    );
    assert_eq!(stored[1].0, second_season);
    assert_eq!(stored[1].1, "accepted", "the season accepts automatically");
    assert_eq!(stored[1].2, "2026-12", "the second records its own consent");
    let enrolled: String = sqlx::query_scalar(
        "select e.id::text from enrollments e join participants p \
         on p.city_id = e.city_id and p.id = e.participant_id \
         where p.email = $1 and e.season_id = $2::uuid",
    )
    .bind(&known)
    .bind(&second_season)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("enrolled");
    assert_eq!(enrolled, id);
    let after = record(&t, &known).await;
    assert_eq!((&after.0, &after.1), (&before.0, &before.1), "details stay");
    assert_eq!(after.2, "2026-12", "the latest consent is the person's");

    // The link works once, through the page or the API.
    let again = http.post(&link).send().await.expect("post again");
    assert_eq!(again.status(), 404);
    let (_, replay) = app
        .graphql(CONFIRM, json!({ "c": "almaty", "t": token }))
        .await;
    assert_eq!(codes(&replay), ["BAD_USER_INPUT"], "{replay}");
    assert_eq!(replay["errors"][0]["extensions"]["reason"], "UNKNOWN");
    worker.stop().await;
}

#[tokio::test]
async fn an_expired_or_forged_confirmation_is_refused_with_its_reason() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@astana.soi.test").await;
    let season = app.new_season(&admin, "Expiry", 10, false).await;
    let known = address("expiry");
    for n in 0..2 {
        let (_, body) = app
            .graphql_from(
                &format!("10.2.0.{n}"),
                APPLY,
                json!({ "c": "astana", "s": season, "i": form(&known, "Айгерім", "+7 701 555 00 11", "2026-09") }),
            )
            .await;
        assert!(codes(&body).is_empty(), "{body}");
    }
    // The request's token is known only to the email; make one whose hash
    // is stored, as the flow does, and let it expire.
    let token = "expired-token-for-the-test-0123456789abcdef";
    let hash = soi_auth::token_hash(token);
    let changed = sqlx::query(
        "update application_requests set token_hash = $1, created_at = now() - interval '4 days', \
         expires_at = now() - interval '1 day' where season_id = $2::uuid",
    )
    .bind(&hash)
    .bind(&season)
    .execute(&mut t.raw().await)
    .await
    .expect("expire")
    .rows_affected();
    assert_eq!(changed, 1, "one pending request");
    let (_, expired) = app
        .graphql(CONFIRM, json!({ "c": "astana", "t": token }))
        .await;
    assert_eq!(
        expired["errors"][0]["extensions"]["reason"], "EXPIRED",
        "{expired}"
    );
    let (_, forged) = app
        .graphql(CONFIRM, json!({ "c": "astana", "t": "x".repeat(43) }))
        .await;
    assert_eq!(
        forged["errors"][0]["extensions"]["reason"], "UNKNOWN",
        "{forged}"
    );
    let (_, elsewhere) = app
        .graphql(CONFIRM, json!({ "c": "almaty", "t": token }))
        .await;
    assert_eq!(codes(&elsewhere), ["BAD_USER_INPUT"], "{elsewhere}");
    assert_eq!(applications(&t, &known).await.len(), 1);
}

#[tokio::test]
async fn someone_who_withdrew_consent_comes_back_only_by_confirming_a_new_application() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let first_season = app.new_season(&admin, "Before", 10, false).await;
    let second_season = app.new_season(&admin, "After", 10, false).await;
    let known = address("returning");
    let (_, first) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": first_season, "i": form(&known, "Айгерім", "+7 701 555 00 11", "2026-09") }),
        )
        .await;
    assert!(codes(&first).is_empty(), "{first}");
    let participant: String =
        sqlx::query_scalar("select id::text from participants where email = $1")
            .bind(&known)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("participant");
    let withdrawn = app
        .ok(
            &admin,
            "mutation($p: ID!) { withdrawConsent(participantId: $p) { participant { erasureDueAt } } }",
            json!({ "p": participant }),
        )
        .await;
    assert!(withdrawn["withdrawConsent"]["participant"]["erasureDueAt"].is_string());

    // Applying again changes nothing by itself; the link still reaches the
    // address (it is the only way to consent again).
    let (_, again) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": second_season, "i": form(&known, "Айгерім", "+7 701 555 00 11", "2026-12") }),
        )
        .await;
    assert!(codes(&again).is_empty(), "{again}");
    let due: Option<String> =
        sqlx::query_scalar("select erasure_due_at::text from participants where email = $1")
            .bind(&known)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("due");
    assert!(due.is_some(), "still due for erasure until they confirm");
    let path = "confirm-application/almaty";
    let mail = soi_tests::accounts::wait_for_link(&sink, &known, path).await;
    let token = soi_tests::accounts::link_token(&mail, path);
    let (_, confirmed) = app
        .graphql(CONFIRM, json!({ "c": "almaty", "t": token }))
        .await;
    assert_eq!(
        confirmed["data"]["confirmApplication"]["status"], "APPLIED",
        "{confirmed}"
    );
    let (withdrawn_at, due): (Option<String>, Option<String>) = sqlx::query_as(
        "select consent_withdrawn_at::text, erasure_due_at::text from participants where email = $1",
    )
    .bind(&known)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("consent");
    assert_eq!(
        (withdrawn_at, due),
        (None, None),
        "the new consent ends the withdrawal"
    );
    worker.stop().await;
}
