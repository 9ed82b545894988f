//! A city's staff, managed by its chapter admins: the list, disabling and
//! enabling, changing a role. A disabled account cannot sign in or refresh;
//! nobody disables or demotes themselves; another city's accounts are out
//! of reach. Sign-ins, good and bad, are audited without addresses.

use serde_json::{Value, json};
use soi_tests::accounts::{GOOD_PASSWORD, login_with};
use soi_tests::{TestApp, codes};

const STAFF: &str = "{ staff { accounts { id email role coachId status } } }";
const DISABLE: &str = "mutation($a: ID!) { disableAccount(accountId: $a) { status } }";
const ENABLE: &str = "mutation($a: ID!) { enableAccount(accountId: $a) { status } }";
const ROLE: &str = "mutation($a: ID!, $r: StaffRole!, $c: ID) { changeStaffRole(accountId: $a, role: $r, coachId: $c) { role coachId } }";

fn account<'a>(staff: &'a Value, email: &str) -> &'a Value {
    staff["staff"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["email"] == email)
        .unwrap_or_else(|| panic!("{email} not in {staff}"))
}

#[tokio::test]
async fn an_admin_disables_enables_and_moves_staff_and_sessions_follow() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let staff = app.ok(&admin, STAFF, json!({})).await;
    let coach = account(&staff, "coach@almaty.soi.test").clone();
    assert_eq!(coach["role"], "COACH");
    assert_eq!(coach["status"], "ACTIVE");
    let me = account(&staff, "admin@almaty.soi.test")["id"].clone();
    assert!(
        !staff.to_string().contains("astana"),
        "another city's staff: {staff}"
    );
    assert!(
        !staff.to_string().contains("student@"),
        "participants are not staff"
    );
    let coach_session = login_with(
        &app,
        "coach@almaty.soi.test",
        soi_seed::demo::DEFAULT_PASSWORD,
    )
    .await;

    let done = app.ok(&admin, DISABLE, json!({ "a": coach["id"] })).await;
    assert_eq!(done["disableAccount"]["status"], "DISABLED");
    let refused = login_with(
        &app,
        "coach@almaty.soi.test",
        soi_seed::demo::DEFAULT_PASSWORD,
    )
    .await;
    assert_eq!(codes(&refused), ["UNAUTHENTICATED"]);
    let (_, refreshed) = app
        .graphql(
            "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }",
            json!({ "r": coach_session["data"]["login"]["refreshToken"] }),
        )
        .await;
    assert_eq!(
        codes(&refreshed),
        ["UNAUTHENTICATED"],
        "its refresh token died"
    );
    let again = app.ok(&admin, ENABLE, json!({ "a": coach["id"] })).await;
    assert_eq!(again["enableAccount"]["status"], "ACTIVE");
    let back = login_with(
        &app,
        "coach@almaty.soi.test",
        soi_seed::demo::DEFAULT_PASSWORD,
    )
    .await;
    assert_eq!(back["data"]["login"]["role"], "COACH", "{back}");

    // A coach becomes an admin, and back to the coach record they had.
    let moved = app
        .ok(
            &admin,
            ROLE,
            json!({ "a": coach["id"], "r": "CHAPTER_ADMIN" }),
        )
        .await;
    assert_eq!(
        moved["changeStaffRole"],
        json!({ "role": "CHAPTER_ADMIN", "coachId": null })
    );
    let as_admin = login_with(
        &app,
        "coach@almaty.soi.test",
        soi_seed::demo::DEFAULT_PASSWORD,
    )
    .await;
    assert_eq!(as_admin["data"]["login"]["role"], "CHAPTER_ADMIN");
    let r = app
        .ask(&admin, ROLE, json!({ "a": coach["id"], "r": "COACH" }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "coachId", "{r}");
    let moved = app
        .ok(
            &admin,
            ROLE,
            json!({ "a": coach["id"], "r": "COACH", "c": coach["coachId"] }),
        )
        .await;
    assert_eq!(moved["changeStaffRole"]["coachId"], coach["coachId"]);

    // Not yourself; not another city's account; not a coach.
    assert_eq!(
        codes(&app.ask(&admin, DISABLE, json!({ "a": me })).await),
        ["CONFLICT"]
    );
    assert_eq!(
        codes(
            &app.ask(
                &admin,
                ROLE,
                json!({ "a": me, "r": "COACH", "c": coach["coachId"] })
            )
            .await
        ),
        ["CONFLICT"]
    );
    let astana = app.login("admin@astana.soi.test").await;
    assert_eq!(
        codes(&app.ask(&astana, DISABLE, json!({ "a": coach["id"] })).await),
        ["NOT_FOUND"]
    );
    let coach_token = app.login("coach@almaty.soi.test").await;
    assert_eq!(
        codes(&app.ask(&coach_token, STAFF, json!({})).await),
        ["FORBIDDEN"]
    );
    assert_eq!(
        codes(&app.ask(&coach_token, DISABLE, json!({ "a": me })).await),
        ["FORBIDDEN"]
    );

    // Audited: the changes with the account's id, sign-ins good and bad.
    let mut raw = t.raw().await;
    let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "select operation, target_ids from audit_log where operation in \
         ('disableAccount', 'enableAccount', 'changeStaffRole', 'login', 'loginFailed') order by id",
    )
    .fetch_all(&mut raw)
    .await
    .expect("audit");
    for op in [
        "disableAccount",
        "enableAccount",
        "changeStaffRole",
        "login",
        "loginFailed",
    ] {
        assert!(
            rows.iter().any(|(o, _)| o == op),
            "{op} not audited: {rows:?}"
        );
    }
    assert!(
        rows.iter()
            .filter(|(o, _)| o == "disableAccount")
            .all(|(_, ids)| ids["accountId"] == coach["id"]),
        "{rows:?}"
    );
    assert!(
        !format!("{rows:?}").contains('@'),
        "an address in the audit log"
    );
}

#[tokio::test]
async fn failed_sign_ins_of_unknown_addresses_and_national_sign_ins_go_to_the_national_log() {
    let (t, app) = TestApp::seeded().await;
    let _ = login_with(&app, "nobody-at-all@nowhere.soi.test", GOOD_PASSWORD).await;
    let _ = app.login("national@soi.test").await;
    let rows: Vec<(String, Option<uuid::Uuid>)> =
        sqlx::query_as("select operation, actor_account from national_audit_log order by id")
            .fetch_all(&mut t.raw().await)
            .await
            .expect("national audit");
    assert!(
        rows.iter().any(|(o, a)| o == "loginFailed" && a.is_none()),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|(o, a)| o == "login" && a.is_some()),
        "{rows:?}"
    );
    let text: String = sqlx::query_scalar(
        "select coalesce(string_agg(row(n.*)::text, ' '), '') from national_audit_log n",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("rows");
    assert!(!text.contains("nowhere"), "the address tried is not kept");
}
