//! Applying to a season: the public form, capacity under concurrency,
//! decisions, withdrawals that promote the waitlist.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes};

const APPLY: &str = "mutation($c: String!, $s: ID!, $i: ApplicationInput!) { applyToSeason(city: $c, seasonId: $s, input: $i) { applicationId } }";

fn applicant(n: usize) -> Value {
    json!({ "firstName": "Айгерім", "lastName": "Серікова", "email": format!("aigerim.{n}@kaznu.kz"),
            "phone": "+7 701 555 00 11", "university": "ҚазҰУ", "birthDate": "2005-03-14",
            "preferredLanguage": "KK", "consentGiven": true, "consentTextVersion": "2026-09" })
}

/// A new season of the admin's city with this capacity and auto-accept.
async fn new_season(app: &TestApp, admin: &str, capacity: i32, auto_accept: bool) -> String {
    app.new_season(admin, &format!("Rush {capacity}"), capacity, auto_accept)
        .await
}

async fn statuses(app: &TestApp, admin: &str, season: &str) -> Vec<String> {
    let (_, body) = app
        .graphql_as(Some(admin), "query($id: ID!) { season(id: $id) { applications(first: 100) { edges { node { status } } } } }", json!({ "id": season }))
        .await;
    body["data"]["season"]["applications"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["status"].as_str().expect("status").to_owned())
        .collect()
}

#[tokio::test]
async fn a_hundred_simultaneous_applications_fill_exactly_thirty_seats() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let season = new_season(&app, &admin, 30, true).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..100 {
        let (app, season) = (app.clone(), season.clone());
        tasks.spawn(async move {
            app.graphql_from(
                &format!("10.0.0.{n}"),
                APPLY,
                json!({ "c": "almaty", "s": season, "i": applicant(n) }),
            )
            .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.expect("task");
        assert_eq!(status, 200);
        assert!(
            body["data"]["applyToSeason"]["applicationId"].is_string(),
            "{body}"
        );
    }
    let stored = statuses(&app, &admin, &season).await;
    let count = |s: &str| stored.iter().filter(|x| *x == s).count();
    assert_eq!((count("ACCEPTED"), count("WAITLISTED")), (30, 70));
    assert_eq!(stored.len(), 100);
}

#[tokio::test]
async fn decisions_respect_capacity_and_a_withdrawal_promotes_the_waitlist() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@astana.soi.test").await;
    let season = new_season(&app, &admin, 1, false).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (_, body) = app
            .graphql(
                APPLY,
                json!({ "c": "astana", "s": season, "i": applicant(n) }),
            )
            .await;
        ids.push(
            body["data"]["applyToSeason"]["applicationId"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let decide = |id: &str, d: &str| json!({ "id": id, "d": d });
    const DECIDE: &str = "mutation($id: ID!, $d: Decision!) { decideApplication(id: $id, decision: $d) { status participant { email } } }";
    let (_, a) = app
        .graphql_as(Some(&admin), DECIDE, decide(&ids[0], "ACCEPT"))
        .await;
    assert_eq!(a["data"]["decideApplication"]["status"], "ACCEPTED");
    assert_eq!(
        a["data"]["decideApplication"]["participant"]["email"],
        "aigerim.0@kaznu.kz"
    );
    let (_, full) = app
        .graphql_as(Some(&admin), DECIDE, decide(&ids[1], "ACCEPT"))
        .await;
    assert_eq!(codes(&full), ["CONFLICT"], "{full}");
    app.graphql_as(Some(&admin), DECIDE, decide(&ids[1], "WAITLIST"))
        .await;
    app.graphql_as(Some(&admin), DECIDE, decide(&ids[2], "WAITLIST"))
        .await;
    let (_, w) = app
        .graphql_as(Some(&admin), "mutation($id: ID!) { withdrawApplication(id: $id) { withdrawn { status } promoted { id status } } }", json!({ "id": ids[0] }))
        .await;
    assert_eq!(
        w["data"]["withdrawApplication"]["withdrawn"]["status"], "WITHDRAWN",
        "{w}"
    );
    assert_eq!(
        w["data"]["withdrawApplication"]["promoted"]["id"],
        ids[1].as_str(),
        "the longest waiting one"
    );
    assert_eq!(
        w["data"]["withdrawApplication"]["promoted"]["status"],
        "ACCEPTED"
    );
}

#[tokio::test]
async fn bad_applications_get_typed_errors_and_store_nothing() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@shymkent.soi.test").await;
    let season = new_season(&app, &admin, 5, false).await;
    let cases: [(&str, Value); 7] = [
        ("email", json!({ "email": "not-an-email" })),
        ("phone", json!({ "phone": "call me" })),
        ("firstName", json!({ "firstName": "R2-D2 <script>" })),
        ("consentGiven", json!({ "consentGiven": false })),
        ("birthDate", json!({ "birthDate": "2031-01-01" })),
        ("guardianName", json!({ "birthDate": "2012-01-01" })),
        ("motivation", json!({ "motivation": "m".repeat(4001) })),
    ];
    for (field, change) in cases {
        let mut input = applicant(1);
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let (_, body) = app
            .graphql(APPLY, json!({ "c": "shymkent", "s": season, "i": input }))
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    assert!(
        statuses(&app, &admin, &season).await.is_empty(),
        "nothing was stored"
    );
    let (_, ok) = app
        .graphql(
            APPLY,
            json!({ "c": "shymkent", "s": season, "i": applicant(1) }),
        )
        .await;
    assert!(
        ok["data"]["applyToSeason"]["applicationId"].is_string(),
        "{ok}"
    );
    // Applying again with the same address answers alike (the address's
    // owner is asked to confirm by email) and stores no second application.
    let (_, twice) = app
        .graphql(
            APPLY,
            json!({ "c": "shymkent", "s": season, "i": applicant(1) }),
        )
        .await;
    assert!(codes(&twice).is_empty(), "{twice}");
    let (_, nowhere) = app
        .graphql(
            APPLY,
            json!({ "c": "atlantis", "s": season, "i": applicant(2) }),
        )
        .await;
    assert_eq!(codes(&nowhere), ["NOT_FOUND"]);
    // A season of another city, named through this city's slug, does not exist here.
    let (_, elsewhere) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": season, "i": applicant(3) }),
        )
        .await;
    assert_eq!(codes(&elsewhere), ["NOT_FOUND"]);
    let (_, training) = app
        .graphql("{ seasons { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(codes(&training), ["UNAUTHENTICATED"]);
    assert_eq!(statuses(&app, &admin, &season).await, ["APPLIED"]);
}

#[tokio::test]
async fn another_citys_application_is_not_found() {
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let season = new_season(&app, &almaty, 3, false).await;
    let (_, body) = app
        .graphql(
            APPLY,
            json!({ "c": "almaty", "s": season, "i": applicant(9) }),
        )
        .await;
    let id = body["data"]["applyToSeason"]["applicationId"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, read) = app
        .graphql_as(
            Some(&astana),
            "query($id: ID!) { application(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read["data"]["application"], Value::Null);
    let (_, d) = app
        .graphql_as(
            Some(&astana),
            "mutation($id: ID!) { decideApplication(id: $id, decision: REJECT) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&d), ["NOT_FOUND"]);
    let (_, w) = app
        .graphql_as(
            Some(&astana),
            "mutation($id: ID!) { withdrawApplication(id: $id) { withdrawn { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(codes(&w), ["NOT_FOUND"]);
    let (_, still) = app
        .graphql_as(
            Some(&almaty),
            "query($id: ID!) { application(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(still["data"]["application"]["status"], "APPLIED");
}

#[tokio::test]
async fn a_participant_who_withdraws_frees_a_seat_for_the_waitlist() {
    let (t, app) = TestApp::seeded().await;
    // The demo season is full (a seat per group member) with a waitlist.
    let own: uuid::Uuid = sqlx::query_scalar(
        "select e.id from enrollments e join accounts a on a.participant_id = e.participant_id \
         where a.email = 'student@almaty.soi.test' and e.status = 'active'",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("the student's seat");
    let student = app.login("student@almaty.soi.test").await;
    let (_, w) = app
        .graphql_as(
            Some(&student),
            "mutation($id: ID!) { withdrawApplication(id: $id) { withdrawn { status } promoted { status } } }",
            json!({ "id": own.to_string() }),
        )
        .await;
    assert_eq!(
        w["data"]["withdrawApplication"]["withdrawn"]["status"], "WITHDRAWN",
        "{w}"
    );
    assert_eq!(
        w["data"]["withdrawApplication"]["promoted"]["status"], "ACCEPTED",
        "{w}"
    );
    let promoted_mail: i64 = sqlx::query_scalar(
        "select count(*) from outbox where kind = 'application_decided' and payload->>'decision' = 'promoted'",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("outbox");
    assert_eq!(promoted_mail, 1);
}
