//! Seasons through the gateway: what each role may do, typed errors for bad
//! input with nothing stored, and other cities' seasons invisible.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes};

const CREATE: &str =
    "mutation($i: SeasonInput!) { createSeason(input: $i) { id title phase capacity seatsTaken } }";

fn season_input() -> Value {
    json!({ "title": "Students on Ice 2028", "socialTheme": "Clean water", "startsOn": "2028-10-02",
            "endsOn": "2029-04-01", "capacity": 35 })
}

async fn season_count(app: &TestApp, token: &str) -> usize {
    let (_, body) = app
        .graphql_as(
            Some(token),
            "{ seasons(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    body["data"]["seasons"]["edges"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn a_chapter_admin_runs_the_seasons_of_their_city() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, body) = app
        .graphql_as(Some(&admin), "{ seasons(first: 1) { edges { cursor node { title phase seatsTaken } } pageInfo { hasNextPage endCursor } } }", json!({}))
        .await;
    let page = &body["data"]["seasons"];
    assert_eq!(page["edges"].as_array().expect("edges").len(), 1, "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let after = page["pageInfo"]["endCursor"].as_str().expect("cursor");
    let (_, next) = app
        .graphql_as(Some(&admin), "query($a: String) { seasons(first: 5, after: $a) { edges { node { title } } pageInfo { hasNextPage } } }", json!({ "a": after }))
        .await;
    assert_eq!(
        next["data"]["seasons"]["edges"]
            .as_array()
            .expect("edges")
            .len(),
        1
    );
    assert_eq!(next["data"]["seasons"]["pageInfo"]["hasNextPage"], false);

    let (_, created) = app
        .graphql_as(Some(&admin), CREATE, json!({ "i": season_input() }))
        .await;
    let season = &created["data"]["createSeason"];
    assert_eq!(season["phase"], "RECRUITING", "{created}");
    assert_eq!(season["seatsTaken"], 0);
    let id = season["id"].as_str().expect("id");
    let (_, moved) = app
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { moveSeasonPhase(id: $id, phase: TRAINING) { phase } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(moved["data"]["moveSeasonPhase"]["phase"], "TRAINING");
    let (_, back) = app
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { moveSeasonPhase(id: $id, phase: RECRUITING) { phase } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&back), ["CONFLICT"]);
    let mut input = season_input();
    input["capacity"] = json!(50);
    let (_, updated) = app
        .graphql_as(Some(&admin), "mutation($id: ID!, $i: SeasonInput!) { updateSeason(id: $id, input: $i) { capacity } }", json!({ "id": id, "i": input }))
        .await;
    assert_eq!(updated["data"]["updateSeason"]["capacity"], 50);
}

#[tokio::test]
async fn bad_season_input_is_refused_field_by_field_and_stores_nothing() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let before = season_count(&app, &admin).await;
    let cases = [
        ("endsOn", json!({ "endsOn": "2028-01-01" })),
        ("capacity", json!({ "capacity": -5 })),
        ("capacity", json!({ "capacity": 0 })),
        ("title", json!({ "title": "x".repeat(201) })),
        ("title", json!({ "title": "   " })),
        ("socialTheme", json!({ "socialTheme": "a\u{0000}b" })),
    ];
    for (field, change) in cases {
        let mut input = season_input();
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let (_, body) = app
            .graphql_as(Some(&admin), CREATE, json!({ "i": input }))
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let (_, body) = app
        .graphql_as(
            Some(&admin),
            "{ season(id: \"not-an-id\") { title } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);
    let (_, body) = app
        .graphql_as(
            Some(&admin),
            "{ seasons(first: 101) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);
    assert_eq!(season_count(&app, &admin).await, before);
}

#[tokio::test]
async fn each_role_gets_only_what_it_may() {
    let (_t, app) = TestApp::seeded().await;
    let coach = app.login("coach@almaty.soi.test").await;
    let student = app.login("student@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    assert!(
        season_count(&app, &coach).await >= 2,
        "coaches read their city's seasons"
    );
    let (_, body) = app
        .graphql_as(Some(&coach), CREATE, json!({ "i": season_input() }))
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"]);
    for token in [&student, &national] {
        let (_, body) = app
            .graphql_as(Some(token), "{ seasons { edges { cursor } } }", json!({}))
            .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    }
    let (_, body) = app
        .graphql("{ seasons { edges { cursor } } }", json!({}))
        .await;
    assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
    let (_, body) = app.graphql(CREATE, json!({ "i": season_input() })).await;
    assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn another_citys_season_does_not_exist_for_an_admin() {
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let (_, body) = app
        .graphql_as(
            Some(&almaty),
            "{ seasons { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let almaty_ids: Vec<String> = body["data"]["seasons"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    for id in &almaty_ids {
        let (_, body) = app
            .graphql_as(
                Some(&astana),
                "query($id: ID!) { season(id: $id) { title } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["season"], Value::Null, "{body}");
        let (_, body) = app
            .graphql_as(Some(&astana), "mutation($id: ID!, $i: SeasonInput!) { updateSeason(id: $id, input: $i) { title } }", json!({ "id": id, "i": season_input() }))
            .await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
        let (_, body) = app
            .graphql_as(
                Some(&astana),
                "mutation($id: ID!) { moveSeasonPhase(id: $id, phase: SHOW) { title } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    }
}
