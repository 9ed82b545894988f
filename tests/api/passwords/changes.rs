//! Changing one's own password: it needs the current one, keeps only this
//! session, and is a compare-and-swap — a reset (or any change that ends
//! sessions) committed between reading the stored hash and writing the new
//! one wins, and the change answers CONFLICT.

use super::{OLD, almaty};
use serde_json::json;
use soi_core::{CityId, Principal, Role};
use soi_db::auth::{accounts, password_resets};
use soi_service::auth::{change_password, passwords};
use soi_tests::accounts::{GOOD_PASSWORD, admin_with_password, login_with};
use soi_tests::locks::wait_until_blocked;
use soi_tests::mail::address;
use soi_tests::{TestApp, TestDb, codes};
use sqlx::Connection;

const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken refreshToken } }";
/// The password a reset in between sets.
const RESET_TO: &str = "ember willow cobalt summit";

/// A new chapter with a gateway, and an admin of it with [`OLD`].
async fn chapter_admin() -> (TestDb, TestApp, CityId, uuid::Uuid, String) {
    let t = TestDb::new().await;
    let city = soi_tests::launch(&t.system().await, "oral").await.id;
    let app = TestApp::spawn(&t).await;
    let email = address("");
    let id = admin_with_password(&t.system().await, city, &email, OLD).await;
    (t, app, city, id, email)
}

async fn changes_audited(t: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from audit_log where operation = 'changePassword'")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("audit")
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_keeps_only_this_session() {
    let (t, app) = TestApp::seeded().await;
    let city = almaty(&t).await;
    let email = address("");
    admin_with_password(&t.system().await, city, &email, OLD).await;
    let first = login_with(&app, &email, OLD).await;
    let other = login_with(&app, &email, OLD).await;
    let access = first["data"]["login"]["accessToken"]
        .as_str()
        .expect("token");
    let wrong = app
        .ask(
            access,
            CHANGE,
            json!({ "c": "not it at all", "n": GOOD_PASSWORD }),
        )
        .await;
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"], "currentPassword",
        "{wrong}"
    );
    let weak = app
        .ask(access, CHANGE, json!({ "c": OLD, "n": "short" }))
        .await;
    assert_eq!(
        weak["errors"][0]["extensions"]["field"], "newPassword",
        "{weak}"
    );
    let changed = app
        .ok(access, CHANGE, json!({ "c": OLD, "n": GOOD_PASSWORD }))
        .await;
    let fresh = changed["changePassword"]["accessToken"]
        .as_str()
        .expect("a new pair");
    let me = app.ok(fresh, "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], email.as_str());
    let (_, refreshed) = app
        .graphql(
            "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }",
            json!({ "r": other["data"]["login"]["refreshToken"] }),
        )
        .await;
    assert_eq!(
        codes(&refreshed),
        ["UNAUTHENTICATED"],
        "the other session ended"
    );
    assert_eq!(
        login_with(&app, &email, GOOD_PASSWORD).await["data"]["login"]["role"],
        "CHAPTER_ADMIN"
    );
}

/// The race driven step by step through the use case: the change reads the
/// stored hash, a reset commits, the change writes.
#[tokio::test]
async fn a_reset_committed_between_reading_and_writing_is_not_overwritten() {
    let (t, app, city, id, email) = chapter_admin().await;
    let db = t.db().await;
    let who = Principal::new(id, Role::ChapterAdmin, Some(city), None, None).expect("principal");
    let read = change_password::read(&db, id)
        .await
        .expect("read")
        .expect("an enabled account");

    let (token, hash) = soi_auth::new_secret_token().expect("token");
    let mut tx = db.national().await.expect("national");
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    password_resets::request(&mut tx, &email, &hash, expires)
        .await
        .expect("request")
        .expect("a known address");
    tx.commit().await.expect("commit");
    passwords::reset(&db, &token, RESET_TO.to_owned(), None)
        .await
        .expect("reset")
        .expect("the reset works");

    let new_hash = passwords::hash_off_runtime(GOOD_PASSWORD.to_owned())
        .await
        .expect("hash");
    let written = change_password::write(&db, &who, read.version, &new_hash, None)
        .await
        .expect("write");
    assert_eq!(written, None, "the change lost: nothing written");
    assert_eq!(changes_audited(&t).await, 0);
    let mut tx = db.national().await.expect("national");
    let stored = accounts::sign_in_lookup(&mut tx, &email)
        .await
        .expect("lookup")
        .expect("account");
    tx.commit().await.expect("commit");
    assert!(soi_auth::verify_password(RESET_TO, &stored.password_hash));
    assert_eq!(
        codes(&login_with(&app, &email, GOOD_PASSWORD).await),
        ["UNAUTHENTICATED"]
    );

    // Read again, at the version the reset left: the same write goes in.
    let again = change_password::read(&db, id)
        .await
        .expect("read")
        .expect("an enabled account");
    assert_eq!(again.version, stored.account.auth_version);
    let written = change_password::write(&db, &who, again.version, &new_hash, None)
        .await
        .expect("write");
    assert_eq!(written, Some(again.version + 1));
    assert_eq!(changes_audited(&t).await, 1);
    let now = login_with(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(now["data"]["login"]["role"], "CHAPTER_ADMIN", "{now}");
}

/// Through the API: the account's row is locked while the change is under
/// way; the change's write waits for it; a new password commits meanwhile
/// (as a reset does); the change answers CONFLICT and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_loses_to_a_reset_answers_conflict_and_changes_nothing() {
    let (t, app, _city, id, email) = chapter_admin().await;
    let signed_in = login_with(&app, &email, OLD).await;
    let access = signed_in["data"]["login"]["accessToken"]
        .as_str()
        .expect("signed in")
        .to_owned();
    let reset_hash = passwords::hash_off_runtime(RESET_TO.to_owned())
        .await
        .expect("hash");

    let mut owner = t.raw().await;
    let mut lock = owner.begin().await.expect("begin");
    sqlx::query("select 1 from accounts where id = $1 for update")
        .bind(id)
        .execute(&mut *lock)
        .await
        .expect("lock the account");
    let change = app.ask(&access, CHANGE, json!({ "c": OLD, "n": GOOD_PASSWORD }));
    let reset_meanwhile = async {
        wait_until_blocked(&t, "soi_auth_set_password").await;
        sqlx::query("update accounts set password_hash = $2 where id = $1")
            .bind(id)
            .bind(&reset_hash)
            .execute(&mut *lock)
            .await
            .expect("reset");
        lock.commit().await.expect("commit");
    };
    let (body, ()) = tokio::join!(change, reset_meanwhile);
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("sign in again"), "{message}");
    assert_eq!(changes_audited(&t).await, 0);
    assert_eq!(
        codes(&login_with(&app, &email, GOOD_PASSWORD).await),
        ["UNAUTHENTICATED"]
    );
    let now = login_with(&app, &email, RESET_TO).await;
    assert_eq!(now["data"]["login"]["role"], "CHAPTER_ADMIN", "{now}");
}
