//! The audit log: every mutation that changes a city is recorded in its own
//! transaction (who, when, which operation, which ids), a failed one leaves
//! nothing, public operations are recorded as public, only the city's admins
//! read it, and nobody can rewrite it.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes, nodes};

const LOG: &str = "query($op: String) { auditLog(operation: $op, first: 50) { edges { node { operation actorKind actorRole actorAccount targetIds requestId at } } } }";
const CREATE_RINK: &str = "mutation($i: RinkInput!) { createRink(input: $i) { id } }";
const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";

/// The audit entries the token's city shows for an operation.
async fn entries(app: &TestApp, token: &str, op: &str) -> Vec<Value> {
    let (_, body) = app.graphql_as(Some(token), LOG, json!({ "op": op })).await;
    nodes(&body, "auditLog")
}

#[tokio::test]
async fn a_mutation_is_recorded_with_its_actor_and_a_failed_one_is_not() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let rink = json!({ "i": { "name": "Audit Arena", "address": "Almaty, Abay Ave 1" } });
    let (_, ok) = app
        .graphql_as(Some(&admin), CREATE_RINK, rink.clone())
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
    // The same name again is a CONFLICT: rolled back, so not recorded.
    let (_, dup) = app.graphql_as(Some(&admin), CREATE_RINK, rink).await;
    assert_eq!(codes(&dup), ["CONFLICT"]);
    let got = entries(&app, &admin, "createRink").await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["actorKind"], "user");
    assert_eq!(got[0]["actorRole"], "chapter_admin");
    assert!(got[0]["actorAccount"].is_string());
    assert!(got[0]["requestId"].is_string());
    // Reading is not a mutation: the log query itself left no entry.
    assert!(entries(&app, &admin, "auditLog").await.is_empty());
}

#[tokio::test]
async fn public_operations_are_recorded_with_ids_and_no_personal_data() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = app.new_season(&admin, "Audit season", 10, false).await;
    let person = json!({ "firstName": "Әлия", "lastName": "Нұрова", "email": "aliya.audit@kaznu.kz",
        "preferredLanguage": "KK", "consentGiven": true, "consentTextVersion": "2026-09" });
    let (_, applied) = app
        .graphql(APPLY, json!({ "c": "almaty", "s": season, "i": person }))
        .await;
    assert!(applied["errors"].is_null(), "{applied}");
    let got = entries(&app, &admin, "applyToSeason").await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["actorKind"], "public");
    assert!(got[0]["actorAccount"].is_null());
    assert_eq!(got[0]["targetIds"]["seasonId"], season.as_str());
    let text = got[0].to_string();
    for personal in ["aliya.audit", "Әлия", "Нұрова"] {
        assert!(
            !text.contains(personal),
            "audit entry holds {personal}: {text}"
        );
    }
}

#[tokio::test]
async fn only_the_citys_admins_read_its_log() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, ok) = app
        .graphql_as(
            Some(&admin),
            CREATE_RINK,
            json!({ "i": { "name": "Only Almaty", "address": "Almaty" } }),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
    for who in [
        "coach@almaty.soi.test",
        "student@almaty.soi.test",
        "national@soi.test",
    ] {
        let token = app.login(who).await;
        let (_, body) = app
            .graphql_as(Some(&token), LOG, json!({ "op": "createRink" }))
            .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{who}: {body}");
    }
    let astana = app.login("admin@astana.soi.test").await;
    assert!(entries(&app, &astana, "createRink").await.is_empty());
}

#[tokio::test]
async fn nobody_rewrites_the_log_not_even_the_owner() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, ok) = app
        .graphql_as(
            Some(&admin),
            CREATE_RINK,
            json!({ "i": { "name": "Kept Arena", "address": "Almaty" } }),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
    let mut owner = t.raw().await;
    for sql in [
        "update audit_log set operation = 'nothing'",
        "delete from audit_log",
    ] {
        let err = sqlx::query(sql)
            .execute(&mut owner)
            .await
            .expect_err("the log is append-only");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let mut app_role = t.raw_app().await;
    let err = sqlx::query("delete from audit_log")
        .execute(&mut app_role)
        .await
        .expect_err("soi_app may not delete");
    assert!(err.to_string().contains("permission denied"), "{err}");
}
