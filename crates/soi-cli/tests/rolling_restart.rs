//! A rolling restart under load loses nothing. Two `soi serve` gateways and
//! a `soi worker` run behind a readiness-aware balancer (`balancer.rs`)
//! while clients read and apply to a season, each application enqueuing an
//! email. Then every process is replaced one at a time, as a Kubernetes
//! rolling update does: a new gateway joins and the old one gets SIGTERM
//! (twice over); a new worker starts as the old one gets SIGTERM while it
//! sends. No request fails, every stopped gateway said "draining" before
//! its port closed and exited 0, every acknowledged application is stored,
//! and each of their emails arrived exactly once.

#[path = "rolling_restart/balancer.rs"]
mod balancer;
mod support;

use balancer::{Balancer, Endpoint, Seen};
use serde_json::{Value, json};
use soi_core::SeasonId;
use soi_db::program::seasons::{self, NewSeason};
use soi_tests::mail::{Sink, address, enqueue};
use soi_tests::shows::show;
use soi_tests::{TestDb, ws};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::children::{Gateway, http, serve, worker};

/// A bound on waits for what must happen (never a measure of speed).
const WAIT: Duration = Duration::from_secs(90);
const CLIENTS: usize = 4;
/// Long enough for many 100 ms readiness polls to see the drain.
const GATEWAY: &[(&str, &str)] = &[
    ("SOI_SHUTDOWN_DRAIN_SECS", "3"),
    ("SOI_SHUTDOWN_TIMEOUT_SECS", "10"),
    // One test client is every applicant: limits are tested elsewhere.
    ("SOI_RATE_LIMITS", "off"),
    ("SOI_DB_MAX_CONNECTIONS", "4"),
    ("SOI_DB_MIN_CONNECTIONS", "1"),
];
/// Batches of 8 sent two at a time: a stop finds claimed messages not yet
/// started (released) beside sends in flight (finished and recorded).
const WORKER: &[(&str, &str)] = &[
    ("SOI_MAIL_BATCH", "8"),
    ("SOI_MAIL_CONCURRENCY", "2"),
    ("SOI_MAIL_SMTP_TIMEOUT_SECS", "5"),
    ("SOI_MAIL_LEASE_SECS", "30"),
    ("SOI_DB_MAX_CONNECTIONS", "4"),
    // Its last line counts what it sent, released and so on.
    ("RUST_LOG", "warn,soi_mail::worker=info"),
];
const READ: &str = "{ cities { slug } }";
const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";
const SALES: &str = "subscription($e: ID!) { ticketSales(eventId: $e) { held remaining } }";

/// A season of Almaty taking applications (no automatic decisions: one
/// email per application).
async fn open_season(t: &TestDb) -> String {
    let db = t.db().await;
    let city = t.city("almaty").await;
    let mut tx = soi_tests::tenant(&db, city.id).await;
    let today = chrono::Utc::now().date_naive();
    let new = NewSeason {
        title: "Rolling season".into(),
        social_theme: "Clean air".into(),
        starts_on: today + chrono::Days::new(60),
        ends_on: today + chrono::Days::new(240),
        capacity: 10_000,
        auto_accept: false,
    };
    let season = seasons::insert(&mut tx, SeasonId::new(), &new)
        .await
        .expect("season");
    tx.commit().await.expect("commit");
    db.close().await;
    season.id.to_string()
}

fn application(season: &str, email: &str) -> Value {
    json!({ "query": APPLY, "variables": { "c": "almaty", "s": season, "i": {
        "firstName": "Айгерім", "lastName": "Серікова", "email": email, "phone": "+7 701 555 00 11",
        "university": "ҚазҰУ", "birthDate": "2005-03-14", "preferredLanguage": "KK",
        "consentGiven": true, "consentTextVersion": "2026-09" } } })
}

/// What the clients saw: every acknowledged application (email, id) and
/// every failure.
#[derive(Default)]
struct Tally {
    requests: usize,
    applied: Vec<(String, String)>,
    failures: Vec<String>,
}

/// One client: a read, an application, a pause, until stopped.
async fn client(
    lb: Balancer,
    season: String,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Tally {
    let http = http();
    let mut out = Tally::default();
    while !stop.load(Ordering::SeqCst) {
        out.requests += 1;
        if let Err(e) = lb.post(&http, &json!({ "query": READ })).await {
            out.failures.push(e);
        }
        out.requests += 1;
        let email = address("");
        match lb.post(&http, &application(&season, &email)).await {
            Ok(v) => match v["data"]["applyToSeason"]["applicationId"].as_str() {
                Some(id) => {
                    out.applied.push((email, id.to_owned()));
                    acked.fetch_add(1, Ordering::SeqCst);
                }
                None => out.failures.push(format!("no application id: {v}")),
            },
            Err(e) => out.failures.push(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out
}

/// Waits until `n` more applications were acknowledged: some load passes
/// between two steps of the restart.
async fn more_load(acked: &AtomicUsize, n: usize) {
    let target = acked.load(Ordering::SeqCst) + n;
    let deadline = Instant::now() + WAIT;
    while acked.load(Ordering::SeqCst) < target {
        assert!(Instant::now() < deadline, "the load stalled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// SIGTERM to a gateway under load: it must say "draining" before its port
/// closes, then exit 0; it leaves the balancer after.
async fn stop_gateway(lb: &Balancer, gateway: &mut Gateway, endpoint: &Endpoint) {
    gateway.process.signal("TERM");
    let exit = gateway.process.exit(WAIT).await;
    assert_eq!(exit.code(), Some(0), "{}: {exit:?}", endpoint.name);
    endpoint.wait_for(Seen::Closed, WAIT).await;
    lb.retire(endpoint);
    assert!(
        endpoint.drained_before_closing(),
        "{}: /readyz did not answer 503 before the port closed: {:?}",
        endpoint.name,
        endpoint.seen()
    );
}

/// (id, recipient, status, claimed_by) of an outbox row.
type OutboxRow = (uuid::Uuid, String, String, Option<String>);

/// The outbox rows for `recipients`.
async fn outbox(t: &TestDb, recipients: &[String]) -> Vec<OutboxRow> {
    sqlx::query_as(
        "select id, recipient_email, status, claimed_by from outbox where recipient_email = any($1) order by id",
    )
    .bind(recipients)
    .fetch_all(&mut t.raw().await)
    .await
    .expect("outbox")
}

/// How many messages are in each status, and claimed or not: what a wait
/// that timed out found.
async fn outbox_states(t: &TestDb) -> Vec<(String, bool, i64)> {
    sqlx::query_as(
        "select status, claimed_by is not null, count(*) from outbox group by 1, 2 order by 1, 2",
    )
    .fetch_all(&mut t.raw().await)
    .await
    .expect("outbox states")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_fails_no_request_and_loses_no_email() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    let season = open_season(&t).await;
    let event = show(&t, "almaty", 20, &[("Parterre", 500_000, 50)], false)
        .await
        .event;
    let sink = Sink::shared();
    let (mut a, mut b) = (
        serve(&t, "gateway A", GATEWAY).await,
        serve(&t, "gateway B", GATEWAY).await,
    );
    let (mut w1, w1_id) = worker(&t, "worker 1", &sink.url(), WORKER);
    let lb = Balancer::default();
    let (a_ep, b_ep) = (lb.add("A", a.addr).await, lb.add("B", b.addr).await);

    // A live subscription on A, which A must close with 1001 "going away".
    let token = a.login("admin@almaty.soi.test").await;
    let (mut sub, ack) = ws::connect(a.addr, Some(&token)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let first = ws::subscribe(&mut sub, "1", SALES, json!({ "e": event })).await;
    assert_eq!(
        first["payload"]["data"]["ticketSales"]["held"], 0,
        "{first}"
    );

    let (stop, acked) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            tokio::spawn(client(
                lb.clone(),
                season.clone(),
                stop.clone(),
                acked.clone(),
            ))
        })
        .collect();
    more_load(&acked, 20).await;

    // Gateway A → C.
    let mut c = serve(&t, "gateway C", GATEWAY).await;
    let c_ep = lb.add("C", c.addr).await;
    let closing = tokio::spawn(async move { ws::close_code(&mut sub, WAIT).await });
    stop_gateway(&lb, &mut a, &a_ep).await;
    assert_eq!(closing.await.expect("subscriber"), Some(1001), "going away");
    more_load(&acked, 20).await;

    // Worker 1 → 2, stopped while it sends. Four messages the sink holds 2 s
    // each, in a mailbox of their own (Astana's) and one commit, so worker 1
    // claims them in one batch: two in flight when it stops (finished and
    // recorded), two not started (handed back to worker 2).
    let slow_to: Vec<String> = (0..4).map(|_| address("slow2")).collect();
    enqueue(&t.db().await, t.city("astana").await.id, &slow_to).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = outbox(&t, &slow_to).await;
        let mine = rows
            .iter()
            .filter(|r| r.3.as_deref() == Some(w1_id.as_str()));
        if mine.count() == slow_to.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "worker 1 never claimed all: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    w1.signal("TERM");
    let (mut w2, _) = worker(&t, "worker 2", &sink.url(), WORKER);
    let exit = w1.exit(WAIT).await;
    assert_eq!(exit.code(), Some(0), "worker 1: {exit:?}");
    more_load(&acked, 20).await;

    // Gateway B → D.
    let mut d = serve(&t, "gateway D", GATEWAY).await;
    let d_ep = lb.add("D", d.addr).await;
    stop_gateway(&lb, &mut b, &b_ep).await;
    more_load(&acked, 20).await;

    stop.store(true, Ordering::SeqCst);
    let mut seen = Tally::default();
    for c in clients {
        let out = c.await.expect("client");
        seen.requests += out.requests;
        seen.applied.extend(out.applied);
        seen.failures.extend(out.failures);
    }
    let served: Vec<String> = [&a_ep, &b_ep, &c_ep, &d_ep]
        .iter()
        .map(|e| format!("{} {}", e.name, e.served.load(Ordering::Relaxed)))
        .collect();
    eprintln!(
        "{} requests ({}), {} applications, {} failed",
        seen.requests,
        served.join(", "),
        seen.applied.len(),
        seen.failures.len()
    );
    assert!(
        seen.failures.is_empty(),
        "failed requests: {:#?}",
        &seen.failures[..seen.failures.len().min(10)]
    );
    for (gateway, endpoint) in [(&mut c, &c_ep), (&mut d, &d_ep)] {
        stop_gateway(&lb, gateway, endpoint).await;
    }

    // Every acknowledged application is stored.
    let ids: Vec<uuid::Uuid> = seen
        .applied
        .iter()
        .map(|(_, id)| id.parse().expect("uuid"))
        .collect();
    let stored: i64 = sqlx::query_scalar("select count(*) from enrollments where id = any($1)")
        .bind(&ids)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("enrollments");
    assert_eq!(stored, i64::try_from(ids.len()).expect("count"));

    // Every email is sent, by worker 2 if not by worker 1.
    let to: Vec<String> = seen
        .applied
        .iter()
        .map(|(e, _)| e.clone())
        .chain(slow_to)
        .collect();
    let rows = all_sent(&t, &to).await;
    w2.signal("TERM");
    let exit = w2.exit(WAIT).await;
    assert_eq!(exit.code(), Some(0), "worker 2: {exit:?}");

    // ...and arrived exactly once.
    received_once(&sink, &to, &rows);
    eprintln!("{} emails, each received once", rows.len());
}

/// Waits until every email to `to` is sent (none parked); their rows.
async fn all_sent(t: &TestDb, to: &[String]) -> Vec<OutboxRow> {
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = outbox(t, to).await;
        let unsent: Vec<_> = rows.iter().filter(|r| r.2 != "sent").collect();
        assert!(
            !unsent.iter().any(|r| r.2 == "parked"),
            "parked: {unsent:?}"
        );
        if unsent.is_empty() {
            return rows;
        }
        assert!(Instant::now() < deadline, "{} emails unsent", unsent.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One copy of each outbox row in `rows` reached each address of `to`, none
/// missing and none doubled.
fn received_once(sink: &Sink, to: &[String], rows: &[OutboxRow]) {
    for email in to {
        let mut expected: Vec<String> = rows
            .iter()
            .filter(|r| &r.1 == email)
            .map(|r| format!("<{}@soi.kz>", r.0))
            .collect();
        assert!(!expected.is_empty(), "{email}: no email enqueued");
        let mut got: Vec<String> = sink
            .received(email)
            .into_iter()
            .map(|m| m.message_id)
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{email}: lost or doubled");
    }
}

#[tokio::test]
async fn a_second_signal_stops_a_draining_gateway_at_once() {
    let t = TestDb::new().await;
    // A drain far longer than the wait below: only the second signal ends it.
    let mut g = serve(&t, "gateway", &[("SOI_SHUTDOWN_DRAIN_SECS", "600")]).await;
    g.process.signal("TERM");
    let http = http();
    let deadline = Instant::now() + WAIT;
    loop {
        let r = http
            .get(format!("http://{}/readyz", g.addr))
            .send()
            .await
            .expect("readyz");
        if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            let body: Value = r.json().await.expect("json");
            assert_eq!(body["status"], "draining", "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "never draining");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Still serving while it drains.
    let body = g.graphql(None, READ, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    g.process.signal("INT");
    let exit = g.process.exit(WAIT).await;
    assert_eq!(exit.code(), Some(1), "{exit:?}");
}

/// `soi serve` with the mail worker inside (`SOI_WORKER_IN_SERVE`), stopped
/// by SIGTERM while it sends: the sends in flight finish and are recorded,
/// the claimed rest is handed back, and the next gateway sends it; each
/// email arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_with_the_worker_inside_finishes_its_sends_when_stopped() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    // The demo's own queued mail would be claimed first (the oldest is
    // due first): on a loaded machine it held the worker past the wait
    // below. It goes; the scheduler (which could queue reminders again) is
    // kept from running while the test does.
    sqlx::query("delete from outbox where status <> 'sent'")
        .execute(&mut t.raw().await)
        .await
        .expect("empty the outbox");
    // As in the rolling restart: four slow messages in one batch, two in
    // flight when the stop comes, two not started. Queued before the
    // gateway starts, so its first claim takes all four (an idle worker
    // woken by the first of them claimed it alone). Each send takes 4 s, so
    // the stop below comes while the first two are in flight even when the
    // gateway is slow to turn ready after that claim.
    let slow_to: Vec<String> = (0..4).map(|_| address("slow4")).collect();
    enqueue(&t.db().await, t.city("astana").await.id, &slow_to).await;
    let sink = Sink::shared();
    let mut env: Vec<(&str, &str)> = GATEWAY.iter().chain(WORKER).copied().collect();
    let smtp = sink.url();
    env.extend([
        ("SOI_WORKER_IN_SERVE", "true"),
        ("SMTP_URL", smtp.as_str()),
        ("SOI_MAIL_SWEEP_SECS", "1"),
        // Room for the 4 s sends (the lease must outlast a whole batch
        // at that timeout).
        ("SOI_MAIL_SMTP_TIMEOUT_SECS", "10"),
        ("SOI_MAIL_LEASE_SECS", "60"),
        ("SOI_MAIL_SCHEDULE_SECS", "3600"),
    ]);
    let mut a = serve(&t, "gateway A", &env).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = outbox(&t, &slow_to).await;
        if rows.iter().all(|r| r.3.is_some()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "gateway A never claimed them: {rows:?}; the outbox: {:?}",
            outbox_states(&t).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.process.signal("TERM");
    let exit = a.process.exit(WAIT).await;
    assert_eq!(exit.code(), Some(0), "gateway A: {exit:?}");
    let after_stop = outbox(&t, &slow_to).await;
    assert!(
        after_stop.iter().all(|r| r.2 == "sent" || r.3.is_none()),
        "a claim outlived its gateway: {after_stop:?}"
    );
    assert!(
        after_stop.iter().any(|r| r.2 == "sent"),
        "the sends in flight were cut: {after_stop:?}"
    );
    // The worker stops claiming when the drain begins: the two not started
    // are handed back, for gateway B to send.
    assert!(
        after_stop.iter().any(|r| r.2 != "sent"),
        "nothing was handed back: {after_stop:?}"
    );

    let mut b = serve(&t, "gateway B", &env).await;
    let rows = all_sent(&t, &slow_to).await;
    b.process.signal("TERM");
    assert_eq!(b.process.exit(WAIT).await.code(), Some(0), "gateway B");
    received_once(&sink, &slow_to, &rows);
}
