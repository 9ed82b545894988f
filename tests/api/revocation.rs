//! Revocation takes effect now: a disabled account, a changed role or a new
//! password ends the sessions of tokens already issued within seconds, on
//! HTTP and on open WebSocket subscriptions (which are also closed when
//! their token expires). The check is the gateway's own, read from
//! PostgreSQL: these gateways point at a Redis nothing listens on.
//!
//! Nothing here comes from the demo seed: a new chapter, accounts and
//! tokens from `soi_tests::tokens`. Accounts are changed through the owner's
//! connection, so the database trigger bumps the session version as it does
//! for every path that changes an account.

use futures_util::StreamExt;
use serde_json::{Value, json};
use soi_core::{CityId, RinkId, Role};
use soi_tests::shows::show;
use soi_tests::tokens::{self, token};
use soi_tests::ws::{self, Socket};
use soi_tests::{TestApp, TestDb, codes};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const CHECK: &str = "{ rinks { id } }";
const SALES: &str = "subscription($e: ID!) { ticketSales(eventId: $e) { sold } }";
/// How long a change may take to be seen, with room for a slow machine.
const WITHIN: Duration = Duration::from_secs(10);
const CITY: &str = "aktau";
/// A report the chapter's admins may download.
const REPORT: &str = "/reports/city.csv?from=2025-01&to=2025-12";

/// A new chapter (launched, with a rink) and a gateway on it without
/// Redis, checking sessions every `every`.
async fn chapter(every: Duration) -> (TestDb, TestApp, CityId) {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let city = soi_tests::launch(&sys, CITY).await.id;
    sys.close().await;
    let db = t.db().await;
    let mut tx = soi_tests::tenant(&db, city).await;
    soi_db::program::rinks::insert(&mut tx, RinkId::new(), "Aktau Arena", "14th microdistrict")
        .await
        .expect("rink");
    tx.commit().await.expect("commit");
    db.close().await;
    let app = TestApp::spawn_without_redis(&t, |s| s.auth.session_check = every).await;
    (t, app, city)
}

/// A new account of the chapter with the role; returns its id.
async fn account(t: &TestDb, city: CityId, role: Role) -> uuid::Uuid {
    tokens::account(t, Some(city), role).await
}

/// Changes the account through the owner's connection.
async fn change(t: &TestDb, id: uuid::Uuid, set: &str) {
    let mut conn = t.raw().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update accounts set {set} where id = $1"
    )))
    .bind(id)
    .execute(&mut conn)
    .await
    .expect("change the account");
}

/// Whether the token's request is answered (status 200, no error).
async fn works(app: &TestApp, token: &str) -> bool {
    let (status, body) = app.graphql_as(Some(token), CHECK, json!({})).await;
    status == 200 && body["errors"].is_null()
}

/// Asks with the token until it is refused as UNAUTHENTICATED (401);
/// panics when that takes longer than [`WITHIN`].
async fn refused_soon(app: &TestApp, token: &str) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = app.graphql_as(Some(token), CHECK, json!({})).await;
        if status == 401 {
            assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
            return started.elapsed();
        }
        assert!(body["errors"].is_null(), "{status} {body}");
        assert!(
            started.elapsed() < WITHIN,
            "the token still works {WITHIN:?} after the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A socket signed in with `token` and subscribed to an event's sales.
async fn subscribed(app: &TestApp, token: &str, event: &str) -> Socket {
    let (mut socket, ack) = ws::connect(app.addr, Some(token)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let first = ws::subscribe(&mut socket, "1", SALES, json!({ "e": event })).await;
    assert_eq!(first["type"], "next", "{first}");
    assert!(first["payload"]["errors"].is_null(), "{first}");
    socket
}

/// The close frame (code, reason) the server ends the socket with, or
/// `None` when it is still open after `within` (pings are answered).
async fn closed(socket: &mut Socket, within: Duration) -> Option<(u16, String)> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(Message::Close(frame)))) => {
                let frame = frame.expect("a close frame with a code");
                return Some((u16::from(frame.code), frame.reason.to_string()));
            }
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).expect("json");
                if v["type"] == "ping" {
                    ws::send(socket, json!({ "type": "pong" })).await;
                }
            }
            Ok(Some(Ok(_))) => {}
            Ok(None) | Ok(Some(Err(_))) => panic!("the socket ended without a close frame"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_accounts_live_token_and_subscription_stop_within_seconds() {
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let sales = show(&t, CITY, 20, &[("Parterre", 500_000, 100)], false).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let token = token(&t, admin, 900).await;
    assert!(works(&app, &token).await);
    let mut socket = subscribed(&app, &token, &sales.event).await;
    // Another admin's session is not touched by the change.
    let other = account(&t, city, Role::ChapterAdmin).await;
    let other = tokens::token(&t, other, 900).await;
    let mut bystander = subscribed(&app, &other, &sales.event).await;

    change(&t, admin, "disabled = true").await;
    let took = refused_soon(&app, &token).await;
    eprintln!("token refused {took:?} after the account was disabled");
    let (code, reason) = closed(&mut socket, WITHIN)
        .await
        .expect("the subscription of a disabled account is closed");
    assert_eq!(
        (code, reason.as_str()),
        (4401, "session revoked: sign in again")
    );
    // A disabled account cannot open a new one either.
    let (_, ack) = ws::connect(app.addr, Some(&token)).await;
    assert_ne!(ack["type"], "connection_ack", "{ack}");

    assert!(works(&app, &other).await);
    assert_eq!(
        closed(&mut bystander, Duration::from_millis(500)).await,
        None
    );
}

#[tokio::test]
async fn a_changed_role_ends_the_old_token_and_the_new_one_works_at_once() {
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let old = token(&t, admin, 900).await;
    assert!(works(&app, &old).await);

    change(&t, admin, "role = 'coach', coach_id = gen_random_uuid()").await;
    refused_soon(&app, &old).await;
    // Signed in again at the new version: served on the first request,
    // though the gateway held the old version a moment ago.
    let new = token(&t, admin, 900).await;
    assert_ne!(new, old);
    assert!(works(&app, &new).await, "the new token was refused");
}

#[tokio::test]
async fn a_new_password_ends_every_token_issued_before_it() {
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let coach = account(&t, city, Role::Coach).await;
    let token = token(&t, coach, 900).await;
    assert!(works(&app, &token).await);

    let hash = soi_auth::hash_password("a brand new password for the rink").expect("hash");
    change(&t, coach, &format!("password_hash = '{hash}'")).await;
    refused_soon(&app, &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_is_closed_when_its_token_expires() {
    let (t, app, city) = chapter(Duration::from_secs(30)).await;
    let sales = show(&t, CITY, 20, &[("Parterre", 500_000, 100)], false).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let short = token(&t, admin, 3).await;
    let mut socket = subscribed(&app, &short, &sales.event).await;
    // The check interval (30 s) is far off: only the expiry can close it.
    let (code, reason) = closed(&mut socket, WITHIN)
        .await
        .expect("a subscription outliving its token is closed");
    assert_eq!(
        (code, reason.as_str()),
        (4401, "token expired: sign in again")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_token_keeps_working_and_is_read_once_per_interval() {
    let (t, app, city) = chapter(Duration::from_secs(1)).await;
    let sales = show(&t, CITY, 20, &[("Parterre", 500_000, 100)], false).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let token = token(&t, admin, 900).await;
    let mut socket = subscribed(&app, &token, &sales.event).await;

    let reads = app.metric("soi_session_version_reads_total").await;
    let started = Instant::now();
    let burst = (0..20).map(|_| works(&app, &token));
    let answers = futures_util::future::join_all(burst).await;
    let intervals = started.elapsed().as_secs() + 1;
    assert!(answers.iter().all(|ok| *ok), "{answers:?}");
    let burst_reads = app.metric("soi_session_version_reads_total").await - reads;
    // One read per interval the burst touched (the socket's checks share
    // them), not one per request.
    assert!(
        burst_reads <= intervals + 1,
        "{burst_reads} reads for one account's burst of 20 over {intervals} interval(s)"
    );

    // Across several intervals: no request refused, the socket stays open.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(3_500) {
        assert!(works(&app, &token).await, "a current token was refused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(closed(&mut socket, Duration::from_millis(200)).await, None);
    let again = ws::subscribe(&mut socket, "2", SALES, json!({ "e": sales.event })).await;
    assert_eq!(again["type"], "next", "{again}");
}

#[tokio::test]
async fn a_session_that_cannot_be_checked_is_refused_not_let_through() {
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let token = token(&t, admin, 900).await;
    let mut conn = t.raw().await;
    sqlx::query("revoke execute on function soi_auth_session_version(uuid) from soi_app")
        .execute(&mut conn)
        .await
        .expect("revoke");
    let (status, body) = app.graphql_as(Some(&token), CHECK, json!({})).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(codes(&body), ["INTERNAL"], "{body}");
    let csv = app.download(REPORT, Some(&token)).await;
    assert_eq!(csv.status, 503);

    sqlx::query("grant execute on function soi_auth_session_version(uuid) to soi_app")
        .execute(&mut conn)
        .await
        .expect("grant");
    assert!(
        works(&app, &token).await,
        "refused after the database answered again"
    );
}

#[tokio::test]
async fn a_disabled_accounts_token_cannot_download_a_report() {
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let admin = account(&t, city, Role::ChapterAdmin).await;
    let token = token(&t, admin, 900).await;
    assert_eq!(app.download(REPORT, Some(&token)).await.status, 200);
    change(&t, admin, "disabled = true").await;
    refused_soon(&app, &token).await;
    assert_eq!(app.download(REPORT, Some(&token)).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_disabling_a_signed_in_colleague_ends_their_token_and_subscription() {
    use soi_tests::accounts::{GOOD_PASSWORD, admin_with_password, login_with};
    let (t, app, city) = chapter(Duration::from_secs(2)).await;
    let sales = show(&t, CITY, 20, &[("Parterre", 500_000, 100)], false).await;
    let sys = t.system().await;
    let (boss, colleague) = ("boss@aktau.soi.test", "colleague@aktau.soi.test");
    admin_with_password(&sys, city, boss, GOOD_PASSWORD).await;
    let id = admin_with_password(&sys, city, colleague, GOOD_PASSWORD).await;
    sys.close().await;
    let signed_in = |body: Value| {
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    };
    let boss = signed_in(login_with(&app, boss, GOOD_PASSWORD).await);
    let token = signed_in(login_with(&app, colleague, GOOD_PASSWORD).await);
    assert!(works(&app, &token).await);
    let mut socket = subscribed(&app, &token, &sales.event).await;

    let (_, body) = app
        .graphql_as(
            Some(&boss),
            "mutation($a: ID!) { disableAccount(accountId: $a) { id } }",
            json!({ "a": id.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    refused_soon(&app, &token).await;
    let (code, reason) = closed(&mut socket, WITHIN)
        .await
        .expect("the disabled colleague's subscription is closed");
    assert_eq!(
        (code, reason.as_str()),
        (4401, "session revoked: sign in again")
    );
    assert!(
        works(&app, &boss).await,
        "the admin who disabled lost their session"
    );
}
