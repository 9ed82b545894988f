//! Participants: search and filters for admins, a limited view for coaches,
//! only themselves for participants, nothing across cities.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes, nodes};

const LIST: &str = "query($s: String, $l: Language, $season: ID, $st: ApplicationStatus, $f: Int, $a: String) {
  participants(search: $s, language: $l, seasonId: $season, status: $st, first: $f, after: $a) {
    edges { node { id firstName lastName email preferredLanguage } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn an_admin_searches_filters_and_pages_through_participants() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, all) = app
        .graphql_as(Some(&admin), LIST, json!({ "f": 100 }))
        .await;
    let everyone = nodes(&all, "participants");
    assert_eq!(everyone.len(), 37, "the demo city has 37 applicants");

    let needle = everyone[5]["lastName"]
        .as_str()
        .expect("name")
        .to_lowercase();
    let (_, found) = app
        .graphql_as(Some(&admin), LIST, json!({ "s": needle, "f": 100 }))
        .await;
    let found = nodes(&found, "participants");
    assert!(!found.is_empty() && found.len() < 37);
    assert!(found.iter().all(|p| {
        p["lastName"]
            .as_str()
            .expect("name")
            .to_lowercase()
            .contains(&needle)
            || p["firstName"]
                .as_str()
                .expect("name")
                .to_lowercase()
                .contains(&needle)
    }));

    let (_, none) = app
        .graphql_as(Some(&admin), LIST, json!({ "s": "%" }))
        .await;
    assert!(
        nodes(&none, "participants").is_empty(),
        "% is a character, not a wildcard"
    );

    let (_, kk) = app
        .graphql_as(Some(&admin), LIST, json!({ "l": "KK", "f": 100 }))
        .await;
    assert!(
        nodes(&kk, "participants")
            .iter()
            .all(|p| p["preferredLanguage"] == "KK")
    );

    let (_, seasons) = app
        .graphql_as(
            Some(&admin),
            "{ seasons { edges { node { id phase } } } }",
            json!({}),
        )
        .await;
    let training = seasons["data"]["seasons"]["edges"]
        .as_array()
        .expect("seasons")
        .iter()
        .find(|e| e["node"]["phase"] == "TRAINING")
        .expect("training season")["node"]["id"]
        .clone();
    let (_, active) = app
        .graphql_as(
            Some(&admin),
            LIST,
            json!({ "season": training, "st": "ACTIVE", "f": 100 }),
        )
        .await;
    assert_eq!(nodes(&active, "participants").len(), 30);

    let (_, first) = app.graphql_as(Some(&admin), LIST, json!({ "f": 20 })).await;
    let cursor = first["data"]["participants"]["pageInfo"]["endCursor"].clone();
    let (_, second) = app
        .graphql_as(Some(&admin), LIST, json!({ "f": 20, "a": cursor }))
        .await;
    assert_eq!(
        nodes(&first, "participants").len() + nodes(&second, "participants").len(),
        37
    );
    assert_eq!(
        second["data"]["participants"]["pageInfo"]["hasNextPage"],
        false
    );
}

#[tokio::test]
async fn coaches_see_no_contact_details_and_participants_only_themselves() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, all) = app
        .graphql_as(Some(&admin), LIST, json!({ "f": 100 }))
        .await;
    let someone = nodes(&all, "participants")[3]["id"].clone();
    const ONE: &str =
        "query($id: ID!) { participant(id: $id) { id firstName email phone birthDate } }";

    let coach = app.login("coach@almaty.soi.test").await;
    let (_, groups) = app
        .graphql_as(Some(&coach), "{ myGroups { members { id } } }", json!({}))
        .await;
    let trained: Vec<Value> = groups["data"]["myGroups"][0]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("{groups}"))
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    let untrained = nodes(&all, "participants")
        .into_iter()
        .map(|n| n["id"].clone())
        .find(|id| !trained.contains(id))
        .expect("one");
    let (_, hidden) = app
        .graphql_as(Some(&coach), ONE, json!({ "id": untrained }))
        .await;
    assert_eq!(
        hidden["data"]["participant"],
        Value::Null,
        "not in the coach's groups"
    );
    let (_, seen) = app
        .graphql_as(Some(&coach), ONE, json!({ "id": trained[0] }))
        .await;
    let p = &seen["data"]["participant"];
    assert!(p["firstName"].is_string(), "{seen}");
    assert_eq!(
        (
            p["email"].clone(),
            p["phone"].clone(),
            p["birthDate"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );
    let (_, list) = app.graphql_as(Some(&coach), LIST, json!({})).await;
    assert_eq!(codes(&list), ["FORBIDDEN"]);

    let student = app.login("student@almaty.soi.test").await;
    let (_, me) = app
        .graphql_as(Some(&student), "{ myProfile { id email } }", json!({}))
        .await;
    let my_id = me["data"]["myProfile"]["id"].clone();
    assert!(me["data"]["myProfile"]["email"].is_string(), "{me}");
    let (_, mine) = app
        .graphql_as(Some(&student), ONE, json!({ "id": my_id }))
        .await;
    assert_eq!(mine["data"]["participant"]["id"], my_id);
    let other = nodes(&all, "participants")
        .into_iter()
        .map(|n| n["id"].clone())
        .find(|id| *id != my_id)
        .expect("another");
    let (_, theirs) = app
        .graphql_as(Some(&student), ONE, json!({ "id": other }))
        .await;
    assert_eq!(
        theirs["data"]["participant"],
        Value::Null,
        "another participant does not exist for a student"
    );

    let astana = app.login("admin@astana.soi.test").await;
    let (_, foreign) = app
        .graphql_as(Some(&astana), ONE, json!({ "id": someone }))
        .await;
    assert_eq!(foreign["data"]["participant"], Value::Null);
    let national = app.login("national@soi.test").await;
    let (_, n) = app
        .graphql_as(Some(&national), ONE, json!({ "id": someone }))
        .await;
    assert_eq!(codes(&n), ["FORBIDDEN"]);
}
