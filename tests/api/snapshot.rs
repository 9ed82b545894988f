//! One query, one snapshot: the fields of a response are read at one
//! moment. A writer that commits after the query's first read, while its
//! last loader waits, is not seen by that loader; the next query sees it.

use serde_json::{Value, json};
use soi_tests::TestApp;
use soi_tests::locks::wait_until_blocked;
use sqlx::Connection;

const GROUP: &str = "query($id: ID!) { group(id: $id) { name members { id lastName } } }";
const GROUPS: &str = "query($s: ID!) { groups(seasonId: $s) { id members { id } } }";
const SEASONS: &str = "{ seasons(first: 100) { edges { node { id phase } } } }";

/// A group of the demo's season in training with members, and one member.
async fn group_with_members(app: &TestApp, admin: &str) -> (String, String) {
    let seasons = app.ok(admin, SEASONS, json!({})).await;
    let season = seasons["seasons"]["edges"]
        .as_array()
        .expect("seasons")
        .iter()
        .find(|s| s["node"]["phase"] == "TRAINING")
        .expect("a season in training")["node"]["id"]
        .clone();
    let groups = app.ok(admin, GROUPS, json!({ "s": season })).await;
    let group = groups["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| !g["members"].as_array().expect("members").is_empty())
        .expect("a group with members")
        .clone();
    let id = |v: &Value| v.as_str().expect("id").to_owned();
    (id(&group["id"]), id(&group["members"][0]["id"]))
}

fn last_name(body: &Value, member: &str) -> String {
    body["data"]["group"]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members: {body}"))
        .iter()
        .find(|m| m["id"] == member)
        .unwrap_or_else(|| panic!("{member} missing: {body}"))["lastName"]
        .as_str()
        .expect("lastName")
        .to_owned()
}

#[tokio::test]
async fn a_write_between_two_loaders_reads_is_seen_by_neither() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (group, member) = group_with_members(&app, &admin).await;
    let before = last_name(
        &app.ask(&admin, GROUP, json!({ "id": group })).await,
        &member,
    );

    // The test holds `participants`, so the query reads the group (its
    // snapshot is taken), then waits at the members loader, which reads the
    // members' participant rows. Meanwhile the member's name changes and
    // commits.
    let mut writer = t.raw().await;
    let mut tx = writer.begin().await.expect("begin");
    sqlx::query("lock table participants in access exclusive mode")
        .execute(&mut *tx)
        .await
        .expect("lock");
    let ask = app.ask(&admin, GROUP, json!({ "id": group }));
    let write = async {
        wait_until_blocked(&t, "join participants p on p.city_id").await;
        sqlx::query("update participants set last_name = 'Renamed' where id = $1::uuid")
            .bind(&member)
            .execute(&mut *tx)
            .await
            .expect("rename");
        tx.commit().await.expect("commit");
    };
    let (during, ()) = tokio::join!(ask, write);
    assert!(during["errors"].is_null(), "{during}");
    assert_eq!(
        last_name(&during, &member),
        before,
        "the loader read after the query's snapshot: {during}"
    );

    let after = app.ask(&admin, GROUP, json!({ "id": group })).await;
    assert_eq!(last_name(&after, &member), "Renamed", "{after}");
}
