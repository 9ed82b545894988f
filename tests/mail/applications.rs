//! The application emails end to end: a GraphQL mutation enqueues in its own
//! transaction, a worker sends through the real SMTP sink, and the message
//! arrives in the applicant's language with local times and a stable
//! Message-ID. Admins see what could not be delivered and resend it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use soi_core::{CityZone, Language};
use soi_mail::format::date_time;
use soi_tests::mail::{Received, RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes};
use std::time::Duration;

const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";
const DECIDE: &str =
    "mutation($id: ID!, $d: Decision!) { decideApplication(id: $id, decision: $d) { status } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawApplication(id: $id) { promoted { id } } }";
const WAIT: Duration = Duration::from_secs(30);

async fn new_season(app: &TestApp, admin: &str, title: &str) -> String {
    app.new_season(admin, title, 1, false).await
}

async fn apply(app: &TestApp, season: &str, email: &str, lang: &str) -> String {
    let input = json!({ "firstName": "Айгерім", "lastName": "Серікова", "email": email,
                        "preferredLanguage": lang, "consentGiven": true, "consentTextVersion": "2026-09" });
    let (_, body) = app
        .graphql(APPLY, json!({ "c": "almaty", "s": season, "i": input }))
        .await;
    body["data"]["applyToSeason"]["applicationId"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// (outbox id, kind, payload) of every message to `recipient`.
async fn outboxed(t: &TestDb, recipient: &str) -> Vec<(uuid::Uuid, String, Value)> {
    sqlx::query_as("select id, kind, payload from outbox where recipient_email = $1 order by id")
        .bind(recipient)
        .fetch_all(&mut t.raw().await)
        .await
        .expect("outbox")
}

fn subjects(lang: Language, title: &str) -> [(String, &'static str); 5] {
    let s = |text: &str| format!("{text} — {title}");
    match lang {
        Language::Ru => [
            (s("Заявка получена"), "applied_at"),
            (s("Вы приняты"), "decided_at"),
            (s("Вы в листе ожидания"), "decided_at"),
            (s("Освободилось место: вы приняты"), "decided_at"),
            (s("Решение по вашей заявке"), "decided_at"),
        ],
        Language::Kk => [
            (s("Өтінішіңіз алынды"), "applied_at"),
            (s("Сіз қабылдандыңыз"), "decided_at"),
            (s("Сіз күту тізіміндесіз"), "decided_at"),
            (s("Орын босады: сіз қабылдандыңыз"), "decided_at"),
            (s("Өтінішіңіз бойынша шешім"), "decided_at"),
        ],
        Language::En => [
            (s("Application received"), "applied_at"),
            (s("You are accepted"), "decided_at"),
            (s("You are on the waitlist"), "decided_at"),
            (s("A seat is free: you are accepted"), "decided_at"),
            (s("About your application"), "decided_at"),
        ],
    }
}

/// Checks each message to `to` against its outbox row: subject, both parts,
/// the moment in Almaty's time, Message-ID, language.
async fn check(t: &TestDb, sink: &Sink, to: &str, lang: Language, title: &str, expected: &[usize]) {
    let got = sink.wait_for(to, expected.len(), WAIT).await;
    assert_eq!(got.len(), expected.len(), "{to}");
    let rows = outboxed(t, to).await;
    let zone = CityZone::parse("Asia/Almaty").expect("zone");
    let table = subjects(lang, title);
    for &which in expected {
        let (subject, moment) = &table[which];
        let m: &Received = got
            .iter()
            .find(|m| &m.subject == subject)
            .unwrap_or_else(|| {
                panic!(
                    "{to}: no '{subject}' among {:?}",
                    got.iter().map(|m| &m.subject).collect::<Vec<_>>()
                )
            });
        assert_eq!(m.to, to);
        assert_eq!(m.from, "noreply@soi.kz");
        assert!(m.has_both_parts(), "{}", m.raw);
        assert_eq!(m.content_language, lang.code());
        assert!(m.text.contains("Айгерім") && m.html.contains("Айгерім"));
        // The outbox row it came from: by Message-ID, which names the row.
        let (id, _, payload) = rows
            .iter()
            .find(|(id, _, _)| m.message_id == format!("<{id}@soi.kz>"))
            .unwrap_or_else(|| panic!("{to}: Message-ID {} names no outbox row", m.message_id));
        let at: DateTime<Utc> = payload[moment]
            .as_str()
            .expect("time")
            .parse()
            .expect("RFC 3339");
        let local = date_time(at, zone, lang);
        assert!(m.text.contains(&local), "{to}: '{local}' not in {}", m.text);
        assert!(
            m.html.contains(&local),
            "{to}: '{local}' not in the HTML part"
        );
        let (status, stored_id, answer): (String, Option<String>, Option<String>) =
            sqlx::query_as("select status, message_id, smtp_response from outbox where id = $1")
                .bind(id)
                .fetch_one(&mut t.raw().await)
                .await
                .expect("row");
        assert_eq!(status, "sent");
        assert_eq!(stored_id.as_deref(), Some(m.message_id.as_str()));
        assert!(answer.is_some_and(|a| a.starts_with("250")));
    }
}

#[tokio::test]
async fn every_application_email_arrives_in_the_applicants_language() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let admin = app.login("admin@almaty.soi.test").await;
    let mut cases = Vec::new();
    for (lang, code) in [
        (Language::Kk, "KK"),
        (Language::Ru, "RU"),
        (Language::En, "EN"),
    ] {
        // One seat: the first is accepted, the second waitlisted, the third
        // rejected; the first withdraws and the second is promoted.
        let title = format!("SOI <{code}> 2027");
        let season = new_season(&app, &admin, &title).await;
        let (first, second, third) = (address(""), address(""), address(""));
        let a = apply(&app, &season, &first, code).await;
        let b = apply(&app, &season, &second, code).await;
        let c = apply(&app, &season, &third, code).await;
        app.ok(&admin, DECIDE, json!({ "id": a, "d": "ACCEPT" }))
            .await;
        app.ok(&admin, DECIDE, json!({ "id": b, "d": "WAITLIST" }))
            .await;
        app.ok(&admin, DECIDE, json!({ "id": c, "d": "REJECT" }))
            .await;
        let w = app.ok(&admin, WITHDRAW, json!({ "id": a })).await;
        assert_eq!(w["withdrawApplication"]["promoted"]["id"], json!(b));
        cases.push((lang, title.clone(), first, vec![0, 1]));
        cases.push((lang, title.clone(), second, vec![0, 2, 3]));
        cases.push((lang, title, third, vec![0, 4]));
    }
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    for (lang, title, to, expected) in &cases {
        check(&t, &sink, to, *lang, title, expected).await;
    }
    worker.stop().await;
    // Titles are escaped in HTML and left alone in text.
    let m = &sink.received(&cases[0].2)[0];
    assert!(m.html.contains("SOI &lt;KK&gt; 2027") && !m.html.contains("SOI <KK> 2027"));
    assert!(m.text.contains("SOI <KK> 2027"));
}

#[tokio::test]
async fn admins_see_parked_emails_and_resend_them() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let admin = app.login("admin@almaty.soi.test").await;
    let season = new_season(&app, &admin, "Parked").await;
    let refused = address("reject");
    apply(&app, &season, &refused, "RU").await;
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let parked = "{ parkedEmails(first: 10) { edges { node { id kind recipient language status attempts lastError } } } }";
    let deadline = tokio::time::Instant::now() + WAIT;
    let node = loop {
        let body = app.ok(&admin, parked, json!({})).await;
        let edges = body["parkedEmails"]["edges"]
            .as_array()
            .expect("edges")
            .clone();
        if let Some(e) = edges
            .iter()
            .find(|e| e["node"]["recipient"] == json!(refused))
        {
            break e["node"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "never parked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    worker.stop().await;
    assert_eq!(node["kind"], "application_received");
    assert_eq!(node["language"], "RU");
    assert_eq!(node["status"], "PARKED");
    assert!(
        node["lastError"].as_str().expect("error").contains("550"),
        "{node}"
    );
    let id = node["id"].as_str().expect("id");

    // Only the city's admins: not a coach, not another city's admin.
    let coach = app.login("coach@almaty.soi.test").await;
    let (_, body) = app.graphql_as(Some(&coach), parked, json!({})).await;
    assert_eq!(codes(&body), ["FORBIDDEN"]);
    let astana = app.login("admin@astana.soi.test").await;
    let body = app.ok(&astana, parked, json!({})).await;
    assert!(!body.to_string().contains(&refused));
    let resend = "mutation($id: ID!) { resendEmail(id: $id) { id status attempts lastError } }";
    let (_, body) = app
        .graphql_as(Some(&astana), resend, json!({ "id": id }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"]);

    let body = app.ok(&admin, resend, json!({ "id": id })).await;
    assert_eq!(body["resendEmail"]["status"], "PENDING");
    assert_eq!(body["resendEmail"]["attempts"], 0);
    let (_, body) = app
        .graphql_as(Some(&admin), resend, json!({ "id": id }))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"]);
}

#[tokio::test]
async fn coaches_and_participants_cannot_read_or_change_the_outbox() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = new_season(&app, &admin, "Private").await;
    apply(&app, &season, &address(""), "EN").await;
    let city: uuid::Uuid = sqlx::query_scalar("select id from cities where slug = 'almaty'")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("city");
    let all: i64 = sqlx::query_scalar("select count(*) from outbox where city_id = $1")
        .bind(city)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("count");
    assert!(all > 0);
    let mut conn = t.raw_app().await;
    for (role, visible) in [
        ("", all),
        ("chapter_admin", all),
        ("coach", 0),
        ("participant", 0),
    ] {
        sqlx::query(
            "select set_config('soi.city_id', $1, false), set_config('soi.role', $2, false)",
        )
        .bind(city.to_string())
        .bind(role)
        .execute(&mut conn)
        .await
        .expect("scope");
        let seen: i64 = sqlx::query_scalar("select count(*) from outbox where city_id = $1")
            .bind(city)
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(seen, visible, "role '{role}'");
        let changed = sqlx::query("update outbox set attempts = attempts where city_id = $1")
            .bind(city)
            .execute(&mut conn)
            .await
            .expect("update")
            .rows_affected();
        assert_eq!(changed, visible as u64, "role '{role}'");
    }
}

#[tokio::test]
async fn sent_emails_past_retention_are_deleted_by_system_work_only() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let city = soi_tests::launch(&sys, "almaty").await.id;
    let all: Vec<String> = (0..4).map(|_| address("")).collect();
    soi_tests::mail::enqueue(&db, city, &all).await;
    // Two sent long ago, one sent yesterday, one still pending.
    let mut owner = t.raw().await;
    for (r, days) in [(&all[0], 120), (&all[1], 100), (&all[2], 1)] {
        sqlx::query(
            "update outbox set status = 'sent', sent_at = now() - make_interval(days => $2) \
             where recipient_email = $1",
        )
        .bind(r)
        .bind(days)
        .execute(&mut owner)
        .await
        .expect("mark sent");
    }
    let cutoff = Utc::now() - chrono::Duration::days(90);
    // A chapter admin cannot delete (the database refuses quietly: no rows).
    let admin = soi_core::Principal::new(
        uuid::Uuid::new_v4(),
        soi_core::Role::ChapterAdmin,
        Some(city),
        None,
        None,
    )
    .and_then(|p| p.city_scope())
    .expect("admin scope");
    let mut tx = db.tenant(&admin).await.expect("tenant");
    assert_eq!(
        soi_db::mail::outbox::purge_sent(&mut tx, cutoff, 100)
            .await
            .expect("purge"),
        0
    );
    tx.commit().await.expect("commit");
    let scope = soi_core::SystemCtx::new("mail-worker").in_city(city);
    let mut tx = db.tenant(&scope).await.expect("tenant");
    assert_eq!(
        soi_db::mail::outbox::purge_sent(&mut tx, cutoff, 1)
            .await
            .expect("purge"),
        1
    );
    assert_eq!(
        soi_db::mail::outbox::purge_sent(&mut tx, cutoff, 100)
            .await
            .expect("purge"),
        1
    );
    tx.commit().await.expect("commit");
    let left: Vec<String> =
        sqlx::query_scalar("select recipient_email from outbox order by recipient_email")
            .fetch_all(&mut owner)
            .await
            .expect("left");
    let mut want = vec![all[2].clone(), all[3].clone()];
    want.sort();
    assert_eq!(left, want);
}
