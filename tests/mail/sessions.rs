//! Session and calendar emails end to end: the session mutations enqueue to
//! every group member in their language, in the mutation's transaction; the
//! scheduler enqueues each reminder once however often (and by however many
//! workers) it runs, and none for cancelled sessions; chapter admins hear of
//! certificates that expire soon. Messages go through the real SMTP sink.

use chrono::{DateTime, Duration, DurationRound, NaiveDate, TimeZone, Utc};
use serde_json::json;
use soi_core::{
    CertificateId, CityId, CityZone, Email, GroupId, Language, ParticipantId, PersonName, RinkId,
    Role, SessionId,
};
use soi_db::auth::accounts;
use soi_db::program::{
    coach_certificates, coaches, group_members, groups, participants, rinks, seasons,
};
use soi_db::{Db, Page};
use soi_mail::format::{date, date_time};
use soi_mail::{scheduler, sessions as mail};
use soi_tests::mail::{Received, RunningWorker, Sink, address, quick_config};
use soi_tests::{TestApp, TestDb, codes, tenant};

const SCHEDULE: &str = "mutation($i: SessionInput!) { scheduleSession(input: $i) { id } }";
const MOVE: &str = "mutation($id: ID!, $s: DateTime!, $e: DateTime!) { moveSession(id: $id, startsAt: $s, endsAt: $e) { id } }";
const CANCEL: &str =
    "mutation($id: ID!, $r: String!) { cancelSession(id: $id, reason: $r) { status } }";
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);
const LANGS: [Language; 3] = [Language::Kk, Language::Ru, Language::En];
const GROUP: &str = "Снежинки <A>";

/// A new group on a new rink (no seeded session to overlap) with three
/// members of fresh addresses, one per language.
struct Fixture {
    db: Db,
    city: CityId,
    group: GroupId,
    rink: RinkId,
    members: Vec<(String, Language)>,
}

async fn almaty(t: &TestDb) -> CityId {
    let id: uuid::Uuid = sqlx::query_scalar("select id from cities where slug = 'almaty'")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("city");
    CityId::from(id)
}

async fn fixture(t: &TestDb) -> Fixture {
    let db = t.db().await;
    let city = almaty(t).await;
    let mut tx = tenant(&db, city).await;
    let like = participants::list(&mut tx, Page::first(1))
        .await
        .expect("people")[0]
        .clone();
    let season = seasons::list(&mut tx, Page::first(1))
        .await
        .expect("seasons")[0]
        .id;
    let rink = rinks::insert(&mut tx, RinkId::new(), "Медеу", "Горельник, 1")
        .await
        .expect("rink")
        .id;
    let group = GroupId::new();
    groups::insert(&mut tx, group, season, GROUP)
        .await
        .expect("group");
    let mut members = Vec::new();
    let mut ids = Vec::new();
    for lang in LANGS {
        let to = address("");
        let id = ParticipantId::new();
        let new = participants::NewParticipant {
            first_name: PersonName::parse("firstName", "Айгерім").expect("name"),
            last_name: PersonName::parse("lastName", &like.last_name).expect("name"),
            email: Email::parse(&to).expect("email"),
            phone: None,
            university: None,
            birth_date: like.birth_date,
            preferred_language: lang,
            consent: participants::Consent {
                given_at: like.consent_given_at,
                text_version: like.consent_text_version.clone(),
                method: like.consent_method,
            },
            guardian_name: None,
        };
        participants::insert(&mut tx, id, &new)
            .await
            .expect("participant");
        ids.push(id);
        members.push((to, lang));
    }
    group_members::add_members(&mut tx, group, &ids)
        .await
        .expect("members");
    tx.commit().await.expect("commit");
    Fixture {
        db,
        city,
        group,
        rink,
        members,
    }
}

async fn schedule(app: &TestApp, token: &str, f: &Fixture, at: DateTime<Utc>) -> String {
    let input = json!({ "groupId": f.group.to_string(), "rinkId": f.rink.to_string(),
                        "startsAt": at, "endsAt": at + Duration::minutes(90) });
    let body = app.ok(token, SCHEDULE, json!({ "i": input })).await;
    body["scheduleSession"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Outbox rows of `kind` to `to`.
async fn outboxed(t: &TestDb, to: &str, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from outbox where recipient_email = $1 and kind = $2")
        .bind(to)
        .bind(kind)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("count")
}

fn zone() -> CityZone {
    CityZone::parse("Asia/Almaty").expect("zone")
}

/// The received message with `subject`, checked: recipient, both parts,
/// language, and every one of `texts` in both parts.
fn check(got: &[Received], to: &str, lang: Language, subject: &str, texts: &[String]) {
    let m = got
        .iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| {
            panic!(
                "{to}: no '{subject}' among {:?}",
                got.iter().map(|m| &m.subject).collect::<Vec<_>>()
            )
        });
    assert_eq!(m.to, to);
    assert!(m.has_both_parts(), "{}", m.raw);
    assert_eq!(m.content_language, lang.code());
    for text in texts {
        assert!(m.text.contains(text), "{to}: '{text}' not in {}", m.text);
        assert!(m.html.contains(text), "{to}: '{text}' not in {}", m.html);
    }
}

fn subjects(lang: Language, starts: &str) -> [String; 4] {
    let g = GROUP;
    match lang {
        Language::Kk => [
            format!("Жаңа жаттығу — {g}, {starts}"),
            format!("Жаттығу ауыстырылды — {g}"),
            format!("Жаттығу болмайды — {g}, {starts}"),
            format!("Еске салу: жаттығу {starts} — {g}"),
        ],
        Language::Ru => [
            format!("Новая тренировка — {g}, {starts}"),
            format!("Тренировка перенесена — {g}"),
            format!("Тренировка отменена — {g}, {starts}"),
            format!("Напоминание: тренировка {starts} — {g}"),
        ],
        Language::En => [
            format!("New training session — {g}, {starts}"),
            format!("Training session moved — {g}"),
            format!("Training session cancelled — {g}, {starts}"),
            format!("Reminder: training {starts} — {g}"),
        ],
    }
}

#[tokio::test]
async fn session_changes_reach_every_member_in_their_language() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let f = fixture(&t).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let first = Utc
        .with_ymd_and_hms(2027, 2, 10, 12, 0, 0)
        .single()
        .expect("time");
    let moved = first + Duration::hours(25) + Duration::minutes(30);
    let id = schedule(&app, &admin, &f, first).await;
    // Moved twice to the same time: one email.
    for _ in 0..2 {
        app.ok(
            &admin,
            MOVE,
            json!({ "id": id, "s": moved, "e": moved + Duration::minutes(90) }),
        )
        .await;
    }
    let reason = "Заливка льда <срочно>";
    let body = app
        .ok(&admin, CANCEL, json!({ "id": id, "r": reason }))
        .await;
    assert_eq!(body["cancelSession"]["status"], "CANCELLED");
    for (to, _) in &f.members {
        for kind in [
            mail::SESSION_SCHEDULED,
            mail::SESSION_MOVED,
            mail::SESSION_CANCELLED,
        ] {
            assert_eq!(outboxed(&t, to, kind).await, 1, "{to}: {kind}");
        }
    }
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    for (to, lang) in &f.members {
        let got = sink.wait_for(to, 3, WAIT).await;
        assert_eq!(got.len(), 3, "{to}");
        let (was, now) = (
            date_time(first, zone(), *lang),
            date_time(moved, zone(), *lang),
        );
        // 12:00 UTC is 17:00 in Almaty; 13:30 UTC the next day is 18:30.
        assert!(was.ends_with("17:00") && now.ends_with("18:30"));
        let [scheduled, moved_subject, _, _] = subjects(*lang, &was);
        let cancelled = subjects(*lang, &now)[2].clone();
        check(
            &got,
            to,
            *lang,
            &scheduled,
            &["Айгерім".into(), was.clone(), "Медеу".into()],
        );
        check(
            &got,
            to,
            *lang,
            &moved_subject,
            &["Айгерім".into(), was.clone(), now.clone()],
        );
        check(
            &got,
            to,
            *lang,
            &cancelled,
            &["Айгерім".into(), now.clone()],
        );
        let m = got
            .iter()
            .find(|m| m.subject == cancelled)
            .expect("cancelled");
        assert!(m.text.contains(reason));
        assert!(m.html.contains("Заливка льда &lt;срочно&gt;"));
    }
    worker.stop().await;
}

#[tokio::test]
async fn reminders_go_once_per_session_and_never_for_cancelled_ones() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let f = fixture(&t).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let now = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("trunc");
    let tomorrow = now + Duration::hours(36);
    let kept = schedule(&app, &admin, &f, tomorrow).await;
    let dropped = schedule(&app, &admin, &f, tomorrow + Duration::hours(2)).await;
    app.ok(&admin, CANCEL, json!({ "id": dropped, "r": "Турнир" }))
        .await;
    // Too far ahead for a reminder yet.
    schedule(&app, &admin, &f, now + Duration::hours(60)).await;

    // Run twice in a row, then twice at once (like two workers).
    let today = zone().local(now).date_naive();
    for _ in 0..2 {
        let mut tx = tenant(&f.db, f.city).await;
        scheduler::run(&mut tx, now, today).await.expect("run");
        tx.commit().await.expect("commit");
    }
    let concurrent = || async {
        let mut tx = tenant(&f.db, f.city).await;
        scheduler::reminders(&mut tx, now).await.expect("run");
        tx.commit().await.expect("commit");
    };
    tokio::join!(concurrent(), concurrent());
    let keys: Vec<String> = sqlx::query_scalar(
        "select idempotency_key from outbox where kind = 'session_reminder' and recipient_email = any($1) order by 1",
    )
    .bind(f.members.iter().map(|(to, _)| to.clone()).collect::<Vec<_>>())
    .fetch_all(&mut t.raw().await)
    .await
    .expect("keys");
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter().all(|k| k.starts_with(&format!(
            "session_reminder:{kept}:{}:",
            tomorrow.timestamp()
        ))),
        "{keys:?}"
    );

    // Two workers, each running the scheduler as it starts: still one each.
    let a = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let b = RunningWorker::start(&t, quick_config(&sink.url())).await;
    for (to, lang) in &f.members {
        // Three scheduled, one cancelled, one reminder.
        let got = sink.wait_for(to, 5, WAIT).await;
        let at = date_time(tomorrow, zone(), *lang);
        let reminder = subjects(*lang, &at)[3].clone();
        check(
            &got,
            to,
            *lang,
            &reminder,
            &["Айгерім".into(), at.clone(), "Медеу".into()],
        );
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    a.stop().await;
    b.stop().await;
    for (to, _) in &f.members {
        assert_eq!(outboxed(&t, to, mail::SESSION_REMINDER).await, 1, "{to}");
        assert_eq!(sink.received(to).len(), 5, "{to}");
    }
}

#[tokio::test]
async fn a_rolled_back_schedule_enqueues_nothing() {
    let (t, app) = TestApp::seeded().await;
    let f = fixture(&t).await;
    let admin = app.login("admin@almaty.soi.test").await;
    let at = Utc
        .with_ymd_and_hms(2027, 3, 1, 6, 0, 0)
        .single()
        .expect("time");
    schedule(&app, &admin, &f, at).await;
    // Overlapping on the rink: refused, and its emails with it.
    let input = json!({ "groupId": f.group.to_string(), "rinkId": f.rink.to_string(),
                        "startsAt": at + Duration::minutes(30), "endsAt": at + Duration::minutes(120) });
    let (_, body) = app
        .graphql_as(Some(&admin), SCHEDULE, json!({ "i": input }))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"]);
    // Scheduled and enqueued, then rolled back.
    let mut tx = tenant(&f.db, f.city).await;
    let session = soi_db::program::sessions::schedule(
        &mut tx,
        &soi_db::program::sessions::NewSession {
            id: SessionId::new(),
            group: f.group,
            rink: f.rink,
            starts_at: at + Duration::days(1),
            ends_at: at + Duration::days(1) + Duration::hours(1),
        },
    )
    .await
    .expect("schedule");
    assert_eq!(
        mail::session_scheduled(&mut tx, &session)
            .await
            .expect("enqueue"),
        3
    );
    tx.rollback().await.expect("rollback");
    for (to, _) in &f.members {
        assert_eq!(outboxed(&t, to, mail::SESSION_SCHEDULED).await, 1, "{to}");
    }
}

#[tokio::test]
async fn chapter_admins_hear_of_certificates_expiring_within_30_days() {
    let (t, _app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let db = t.db().await;
    let city = almaty(&t).await;
    // Three admins, one per language of their account.
    let admins: Vec<(String, Language)> = [Language::Kk, Language::Ru, Language::En]
        .into_iter()
        .map(|lang| (address(""), lang))
        .collect();
    let sys = t.system().await;
    let mut national = db.national().await.expect("national");
    for (to, lang) in &admins {
        let account = accounts::create_as_owner(
            &sys,
            &accounts::NewAccount {
                email: Email::parse(to).expect("email"),
                password_hash: "$argon2id$v=19$test".into(),
                principal_role: Role::ChapterAdmin,
                city: Some(city),
                coach: None,
                participant: None,
            },
        )
        .await
        .expect("admin");
        accounts::set_language(&mut national, account, *lang)
            .await
            .expect("language");
    }
    national.commit().await.expect("commit");
    let to = admins[1].0.clone();
    let today = zone().local(Utc::now()).date_naive();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut tx = tenant(&db, city).await;
    let coach = coaches::list(&mut tx, Page::first(1))
        .await
        .expect("coaches")[0]
        .clone();
    let cert = |title: &str, expires_on: NaiveDate| coach_certificates::NewCertificate {
        title: format!("{title} {tag}"),
        issuer: "ISU".into(),
        issued_on: today - Duration::days(700),
        expires_on: Some(expires_on),
    };
    let soon = today + Duration::days(10);
    for (title, on) in [
        ("Soon", soon),
        ("Later", today + Duration::days(45)),
        ("Past", today - Duration::days(1)),
    ] {
        coach_certificates::add_certificate(
            &mut tx,
            CertificateId::new(),
            coach.id,
            &cert(title, on),
        )
        .await
        .expect("certificate");
    }
    tx.commit().await.expect("commit");
    for _ in 0..2 {
        let mut tx = tenant(&db, city).await;
        scheduler::certificates(&mut tx, today).await.expect("run");
        tx.commit().await.expect("commit");
    }
    let titles: Vec<String> = sqlx::query_scalar(
        "select payload->>'certificate_title' from outbox where recipient_email = $1 and kind = 'certificate_expiring'",
    )
    .bind(&to)
    .fetch_all(&mut t.raw().await)
    .await
    .expect("titles");
    let mine: Vec<_> = titles.iter().filter(|t| t.ends_with(&tag)).collect();
    assert_eq!(mine, [&format!("Soon {tag}")]);

    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let name = format!("{} {}", coach.first_name, coach.last_name);
    let subject = |lang: Language| match lang {
        Language::Kk => format!("Жаттықтырушы сертификатының мерзімі бітеді — {name}"),
        Language::Ru => format!("Истекает сертификат тренера — {name}"),
        Language::En => format!("Coach certificate expiring — {name}"),
    };
    for (to, lang) in &admins {
        let got = sink.wait_for(to, 1, WAIT).await;
        let m = got
            .iter()
            .find(|m| m.text.contains(&tag))
            .expect("the notice");
        check(
            std::slice::from_ref(m),
            to,
            *lang,
            &subject(*lang),
            &[format!("Soon {tag}"), date(soon, *lang), name.clone()],
        );
    }
    worker.stop().await;
}
