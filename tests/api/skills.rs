//! The skill catalogue and progressions over the API.

use serde_json::{Value, json};
use soi_db::program::group_members;
use soi_tests::{TestApp, TestDb, codes, tenant};

const PASS: &str = "mutation($p: ID!, $e: ID!, $d: Date!) { recordSkillPass(participantId: $p, elementId: $e, passedOn: $d) { elementId passedOn } }";

#[tokio::test]
async fn coaches_record_passes_for_their_own_participants() {
    let t = TestDb::new().await;
    let db = t.db().await;
    t.seed_demo(1).await;
    let city = t.city("almaty").await;
    let mut tx = tenant(&db, city.id).await;
    let (_, own, other) = soi_tests::demo_coach_groups(&db, &mut tx, "almaty").await;
    let mine = group_members::members(&mut tx, own.id)
        .await
        .expect("members")[0]
        .to_string();
    let theirs = group_members::members(&mut tx, other.id)
        .await
        .expect("members")[0]
        .to_string();
    tx.commit().await.expect("commit");
    let app = TestApp::spawn(&t).await;

    let (_, catalogue) = app
        .graphql("{ skillCatalogue { id code level } }", json!({}))
        .await;
    let elements = catalogue["data"]["skillCatalogue"]
        .as_array()
        .expect("catalogue")
        .clone();
    assert_eq!(elements.len(), 18);
    let last = elements.last().expect("element")["id"].clone();

    let token = app.login("coach@almaty.soi.test").await;
    let (_, done) = app
        .graphql_as(
            Some(&token),
            PASS,
            json!({ "p": mine, "e": last, "d": "2026-11-20" }),
        )
        .await;
    let passed = done["data"]["recordSkillPass"]
        .as_array()
        .unwrap_or_else(|| panic!("{done}"));
    assert!(passed.iter().any(|p| p["elementId"] == last));
    let (_, again) = app
        .graphql_as(
            Some(&token),
            PASS,
            json!({ "p": mine, "e": last, "d": "2026-11-22" }),
        )
        .await;
    assert_eq!(
        again["data"]["recordSkillPass"], done["data"]["recordSkillPass"],
        "the first date stays"
    );

    let (_, foreign) = app
        .graphql_as(
            Some(&token),
            PASS,
            json!({ "p": theirs, "e": last, "d": "2026-11-20" }),
        )
        .await;
    assert_eq!(codes(&foreign), ["FORBIDDEN"]);
    let (_, future) = app
        .graphql_as(
            Some(&token),
            PASS,
            json!({ "p": mine, "e": last, "d": "2099-01-01" }),
        )
        .await;
    assert_eq!(codes(&future), ["BAD_USER_INPUT"]);
    let unknown = uuid::Uuid::new_v4().to_string();
    let (_, missing) = app
        .graphql_as(
            Some(&token),
            PASS,
            json!({ "p": mine, "e": unknown, "d": "2026-11-20" }),
        )
        .await;
    assert_eq!(codes(&missing), ["NOT_FOUND"], "{missing}");

    let admin = app.login("admin@almaty.soi.test").await;
    let (_, by_admin) = app
        .graphql_as(
            Some(&admin),
            PASS,
            json!({ "p": mine, "e": last, "d": "2026-11-20" }),
        )
        .await;
    assert_eq!(codes(&by_admin), ["FORBIDDEN"]);
    const PROGRESS: &str = "query($p: ID!) { progression(participantId: $p) { elementId } }";
    let (_, seen) = app
        .graphql_as(Some(&admin), PROGRESS, json!({ "p": mine }))
        .await;
    assert!(
        seen["data"]["progression"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    let astana = app.login("admin@astana.soi.test").await;
    let (_, hidden) = app
        .graphql_as(Some(&astana), PROGRESS, json!({ "p": mine }))
        .await;
    assert_eq!(hidden["data"]["progression"], Value::Null);
}
