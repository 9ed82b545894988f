//! Ticket and show emails end to end: the order confirmation arrives once
//! per paid order (admin-recorded or a webhook delivered three times), in
//! the buyer's language with each ticket's QR code and code; a show's
//! announcement reaches the season's participants with one-click
//! unsubscribe headers, and stops for an address that unsubscribed while
//! its tickets still arrive.

use chrono::{DateTime, Utc};
use serde_json::json;
use soi_core::{CityId, CityZone, Language};
use soi_db::mail::unsubscribe_links;
use soi_mail::format::date_time;
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::shows::{RESERVE, count, notify, pay, reserved, show, signature};
use soi_tests::{TestApp, TestDb, unsub};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const TITLE: &str = "SOI: youth for clean air";
const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";
const DECIDE: &str =
    "mutation($id: ID!, $d: Decision!) { decideApplication(id: $id, decision: $d) { status } }";
const PUBLISH: &str = "mutation($id: ID!) { publishEvent(id: $id) { id status } }";

fn worker_config(sink: &Sink) -> soi_mail::WorkerConfig {
    let mut cfg = quick_config(&sink.url());
    cfg.unsubscribe = Some(unsub::links());
    cfg
}

async fn buy(
    app: &TestApp,
    show: &soi_tests::shows::Show,
    email: &str,
    lang: &str,
) -> (String, i64) {
    let items = json!([{ "ticketTypeId": show.types[0], "quantity": 2 },
                      { "ticketTypeId": show.types[1], "quantity": 1 }]);
    let (_, body) = app
        .graphql(
            RESERVE,
            json!({ "c": show.city, "i": { "eventId": show.event, "buyerName": "Айгерім Серікова",
                    "buyerEmail": email, "language": lang, "items": items } }),
        )
        .await;
    reserved(&body)
}

/// (code, ticket type) of an order's tickets.
async fn codes_of(t: &TestDb, order: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "select t.code, tt.name from tickets t join ticket_types tt on tt.id = t.ticket_type_id \
         where t.order_id = $1 order by t.id",
    )
    .bind(uuid::Uuid::parse_str(order).expect("uuid"))
    .fetch_all(&mut t.raw().await)
    .await
    .expect("tickets")
}

async fn starts_at(t: &TestDb, event: &str) -> DateTime<Utc> {
    sqlx::query_scalar("select starts_at from events where id = $1")
        .bind(uuid::Uuid::parse_str(event).expect("uuid"))
        .fetch_one(&mut t.raw().await)
        .await
        .expect("event")
}

async fn city_id(t: &TestDb, slug: &str) -> CityId {
    let id: uuid::Uuid = sqlx::query_scalar("select id from cities where slug = $1")
        .bind(slug)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("city");
    CityId::from(id)
}

/// A header of a received message, unfolded.
fn header(raw: &str, name: &str) -> Option<String> {
    let m = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("message");
    m.header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(""))
}

#[tokio::test]
async fn the_order_confirmation_arrives_once_per_paid_order_in_the_buyers_language() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let admin = app.login("admin@almaty.soi.test").await;
    let show = show(
        &t,
        "almaty",
        30,
        &[("Adult", 500_000, 50), ("Student", 200_000, 50)],
        false,
    )
    .await;
    let at = starts_at(&t, &show.event).await;
    let mut orders = Vec::new();
    for (lang, code, subject, word) in [
        (Language::Kk, "KK", "Сіздің билеттеріңіз", "коды"),
        (Language::Ru, "RU", "Ваши билеты", "код"),
        (Language::En, "EN", "Your tickets", "code"),
    ] {
        let to = address("");
        let (order, total) = buy(&app, &show, &to, code).await;
        if lang == Language::Kk {
            // The provider's notification, delivered three times.
            let n = json!({ "transactionId": format!("txn-{order}"), "orderId": order,
                            "amountTiyn": total, "status": "paid" });
            let sig = signature(&serde_json::to_vec(&n).expect("json"));
            for _ in 0..3 {
                let (status, body) = notify(&app, "almaty", &n, Some(&sig)).await;
                assert_eq!(status, 200, "{body}");
            }
        } else {
            let body = pay(&app, &admin, &order, total).await;
            assert!(body["errors"].is_null(), "{body}");
            // Paying again is refused and enqueues nothing more.
            let again = pay(&app, &admin, &order, total).await;
            assert!(!again["errors"].is_null());
        }
        orders.push((lang, subject, word, to, order));
    }
    let worker = RunningWorker::start(&t, worker_config(&sink)).await;
    let zone = CityZone::parse("Asia/Almaty").expect("zone");
    for (lang, subject, word, to, order) in &orders {
        let got = sink.wait_for(to, 1, WAIT).await;
        let m = &got[0];
        assert_eq!(m.subject, format!("{subject} — {TITLE}"));
        assert_eq!(m.content_language, lang.code());
        assert!(m.has_both_parts());
        assert!(m.text.contains("Айгерім Серікова"));
        let local = date_time(at, zone, *lang);
        assert!(
            m.text.contains(&local) && m.html.contains(&local),
            "{local}: {}",
            m.text
        );
        let tickets = codes_of(&t, order).await;
        assert_eq!(tickets.len(), 3);
        for (code, kind) in &tickets {
            assert!(
                m.text.contains(&format!("{kind} — {word} {code}")),
                "{}",
                m.text
            );
            assert!(m.html.contains(code.as_str()) && m.html.contains(kind.as_str()));
        }
        // One QR table per ticket, drawn in cells.
        assert_eq!(m.html.matches("aria-label=\"QR ").count(), 3);
        assert!(m.html.contains("bgcolor=\"black\""));
        // Transactional: no unsubscribe headers.
        assert_eq!(header(&m.raw, "List-Unsubscribe"), None);
        assert_eq!(header(&m.raw, "List-Unsubscribe-Post"), None);
        let keyed = count(
            &t,
            "select count(*) from outbox where idempotency_key = 'ticket_order_paid:' || $1::text",
            order,
        )
        .await;
        assert_eq!(keyed, 1);
    }
    // Nothing more arrives later.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    worker.stop().await;
    for (_, _, _, to, _) in &orders {
        assert_eq!(sink.received(to).len(), 1, "{to}");
    }
}

/// Applies to the season and is accepted by the admin.
async fn participant(app: &TestApp, admin: &str, season: &str, email: &str) {
    participant_in(app, admin, season, email, "EN").await;
}

/// The same, choosing the language (`KK`, `RU` or `EN`).
async fn participant_in(app: &TestApp, admin: &str, season: &str, email: &str, lang: &str) {
    let input = json!({ "firstName": "Dana", "lastName": "Omarova", "email": email,
                        "preferredLanguage": lang, "consentGiven": true, "consentTextVersion": "2026-09" });
    let (_, body) = app
        .graphql(APPLY, json!({ "c": "almaty", "s": season, "i": input }))
        .await;
    let id = body["data"]["applyToSeason"]["applicationId"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    app.ok(admin, DECIDE, json!({ "id": id, "d": "ACCEPT" }))
        .await;
}

async fn post(app: &TestApp, token: &str) -> u16 {
    app.http
        .post(app.url(&format!("/unsubscribe?t={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post")
        .status()
        .as_u16()
}

async fn get(app: &TestApp, token: &str) -> (u16, String) {
    let r = app
        .http
        .get(app.url(&format!("/unsubscribe?t={token}")))
        .send()
        .await
        .expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// The live unsubscribe link of `email` in `city` (made if it has none).
async fn link_of(t: &TestDb, city: CityId, email: &str) -> uuid::Uuid {
    let db = t.db().await;
    let mut tx = soi_tests::tenant(&db, city).await;
    let ids = unsubscribe_links::ids_for(&mut tx, &[email.to_owned()])
        .await
        .expect("link");
    tx.commit().await.expect("commit");
    ids[0].1
}

/// Whether what a token carries before its signature holds the address
/// (as the old links did) — or any part of it before the `@`.
fn names(token: &str, email: &str) -> bool {
    use base64::Engine;
    let (msg, _) = token.split_once('.').expect("dot");
    let carried = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(msg)
        .expect("base64");
    let local = email.split('@').next().expect("local part").to_lowercase();
    carried
        .windows(local.len())
        .any(|w| w.eq_ignore_ascii_case(local.as_bytes()))
}

async fn unsubscribed(t: &TestDb, email: &str) -> i64 {
    sqlx::query_scalar("select count(*) from email_preferences where email = lower($1)")
        .bind(email)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_unsubscribed_address_gets_no_announcements_but_still_its_tickets() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let admin = app.login("admin@almaty.soi.test").await;
    let city = city_id(&t, "almaty").await;
    let show = show(
        &t,
        "almaty",
        30,
        &[("Adult", 500_000, 50), ("Student", 0, 50)],
        true,
    )
    .await;
    let season: uuid::Uuid = sqlx::query_scalar("select season_id from events where id = $1")
        .bind(uuid::Uuid::parse_str(&show.event).expect("uuid"))
        .fetch_one(&mut t.raw().await)
        .await
        .expect("season");
    let (quiet, listener) = (address(""), address(""));
    participant(&app, &admin, &season.to_string(), &quiet).await;
    participant(&app, &admin, &season.to_string(), &listener).await;

    // Forged and revoked links are refused and store nothing.
    let links = unsub::links();
    let forged =
        soi_mail::unsubscribe::Links::new("not-our-secret-0123456789".to_owned().into(), "x")
            .token(city, uuid::Uuid::new_v4());
    let revoked = links.token(city, link_of(&t, city, &quiet).await);
    let db = t.db().await;
    let mut tx = soi_tests::tenant(&db, city).await;
    assert!(
        unsubscribe_links::revoke(&mut tx, &quiet)
            .await
            .expect("revoke")
    );
    tx.commit().await.expect("commit");
    assert_eq!(get(&app, &forged).await.0, 403);
    assert_eq!(post(&app, &forged).await, 403);
    assert_eq!(post(&app, "garbage").await, 403);
    assert_eq!(get(&app, &revoked).await.0, 410);
    assert_eq!(post(&app, &revoked).await, 410);
    assert_eq!(unsubscribed(&t, &quiet).await, 0);

    // GET only shows the button; POST (twice) records it once. The link is
    // a new one (the revoked one stays dead) and names no address.
    let valid = links.token(city, link_of(&t, city, &quiet.to_uppercase()).await);
    assert_ne!(valid, revoked);
    assert!(!names(&valid, &quiet));
    let (status, page) = get(&app, &valid).await;
    assert_eq!(status, 200);
    assert!(page.contains("method=\"post\"") && page.contains("List-Unsubscribe"));
    assert_eq!(unsubscribed(&t, &quiet).await, 0);
    assert_eq!(post(&app, &valid).await, 200);
    assert_eq!(post(&app, &valid).await, 200);
    assert_eq!(unsubscribed(&t, &quiet).await, 1);

    // Publishing announces the show to both; the quiet one also buys tickets.
    app.ok(&admin, PUBLISH, json!({ "id": show.event })).await;
    let announced = count(
        &t,
        "select count(*) from outbox where idempotency_key like 'show_announcement:' || $1::text || ':%'",
        &show.event,
    )
    .await;
    assert_eq!(announced, 2);
    let (order, total) = buy(&app, &show, &quiet, "EN").await;
    let body = pay(&app, &admin, &order, total).await;
    assert!(body["errors"].is_null(), "{body}");

    let worker = RunningWorker::start(&t, worker_config(&sink)).await;
    let subject = format!("New show: {TITLE}");
    // The listener: the announcement, with one-click unsubscribe headers.
    let got = sink.wait_for(&listener, 3, WAIT).await;
    let m = got
        .iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| panic!("{:?}", got.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    let link = header(&m.raw, "List-Unsubscribe").expect("List-Unsubscribe");
    assert_eq!(
        header(&m.raw, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let url = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .unwrap_or_else(|| panic!("{link}"));
    let token = url
        .strip_prefix(&format!("{}/unsubscribe?t=", unsub::TEST_PUBLIC_URL))
        .unwrap_or_else(|| panic!("{url}"));
    let named = links.verify(token).expect("a valid token");
    assert_eq!(named.city, city);
    assert_eq!(named.link, link_of(&t, city, &listener).await);
    assert!(!names(token, &listener));
    // Application emails carry no unsubscribe headers.
    for other in got.iter().filter(|m| m.subject != subject) {
        assert_eq!(header(&other.raw, "List-Unsubscribe"), None);
    }

    // The quiet one: the tickets arrive, the announcement is parked.
    let got = sink.wait_for(&quiet, 3, WAIT).await;
    assert!(
        got.iter()
            .any(|m| m.subject == format!("Your tickets — {TITLE}"))
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "select status, last_error from outbox where kind = 'show_announcement' and recipient_email = $1",
        )
        .bind(&quiet)
        .fetch_optional(&mut t.raw().await)
        .await
        .expect("row");
        if let Some((status, reason)) = &row
            && status == "parked"
        {
            assert_eq!(reason.as_deref(), Some("unsubscribed"));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{row:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.stop().await;
    assert!(sink.received(&quiet).iter().all(|m| m.subject != subject));

    // The link from the header works as a one-click POST, twice.
    assert_eq!(post(&app, token).await, 200);
    assert_eq!(post(&app, token).await, 200);
    assert_eq!(unsubscribed(&t, &listener).await, 1);
}

#[tokio::test]
async fn the_show_announcement_arrives_in_each_participants_language() {
    let (t, app) = TestApp::seeded().await;
    let sink = Sink::shared();
    let admin = app.login("admin@almaty.soi.test").await;
    let show = show(&t, "almaty", 30, &[("Adult", 500_000, 50)], true).await;
    let season: uuid::Uuid = sqlx::query_scalar("select season_id from events where id = $1")
        .bind(uuid::Uuid::parse_str(&show.event).expect("uuid"))
        .fetch_one(&mut t.raw().await)
        .await
        .expect("season");
    let people = [
        ("KK", "Жаңа шоу", address("")),
        ("RU", "Новое шоу", address("")),
        ("EN", "New show", address("")),
    ];
    for (lang, _, email) in &people {
        participant_in(&app, &admin, &season.to_string(), email, lang).await;
    }
    app.ok(&admin, PUBLISH, json!({ "id": show.event })).await;
    let worker = RunningWorker::start(&t, worker_config(&sink)).await;
    for (lang, words, email) in &people {
        let subject = format!("{words}: {TITLE}");
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let got = sink.received(email);
            if let Some(m) = got.iter().find(|m| m.subject == subject) {
                assert!(m.has_both_parts(), "{lang}");
                assert!(m.text.contains(TITLE), "{lang}: {}", m.text);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{lang}: {:?}",
                got.iter().map(|m| &m.subject).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    worker.stop().await;
}
