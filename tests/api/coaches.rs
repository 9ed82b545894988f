//! Coaches, their certificates and rinks through the gateway: what each role
//! may do, typed errors for bad input with nothing stored, expiring
//! certificates, and other cities' coaches and rinks invisible.

use chrono::{Days, Utc};
use serde_json::{Value, json};
use soi_tests::{TestApp, codes};

const CREATE_COACH: &str = "mutation($i: CoachInput!) { createCoach(input: $i) { id firstName email phone qualification active certificates { id } } }";
const ADD_CERT: &str = "mutation($c: ID!, $i: CertificateInput!) { addCertificate(coachId: $c, input: $i) { id coachId title issuer issuedOn expiresOn } }";
const CREATE_RINK: &str = "mutation($i: RinkInput!) { createRink(input: $i) { id name address } }";
const COACHES: &str =
    "{ coaches(first: 100) { edges { node { id email certificates { id title expiresOn } } } } }";
const EXPIRING: &str =
    "query($d: Int!) { certificatesExpiring(withinDays: $d) { id coachId expiresOn } }";
const COACH: &str = "query($id: ID!) { coach(id: $id) { lastName certificates { title } } }";
const RINK: &str = "query($id: ID!) { rink(id: $id) { name address } }";

fn coach_input() -> Value {
    json!({ "firstName": "Дина", "lastName": "Ахметова", "email": "Dina.Akhmetova@skate.kz",
            "phone": "+7 701 123 45 67", "qualification": "MASTER_OF_SPORT" })
}

/// A certificate issued a year ago that expires `days` from today.
fn cert_input(days: u64) -> Value {
    let today = Utc::now().date_naive();
    let issued = today.checked_sub_days(Days::new(365)).expect("date");
    let expires = today.checked_add_days(Days::new(days)).expect("date");
    json!({ "title": "ISU technical specialist", "issuer": "Kazakhstan Skating Union",
            "issuedOn": issued.to_string(), "expiresOn": expires.to_string() })
}

fn rink_input() -> Value {
    json!({ "name": "Halyk Arena", "address": "Almaty, Al-Farabi Ave 1" })
}

/// The ids of a list of objects or of connection edges.
fn ids(list: &Value) -> Vec<String> {
    let id = |v: &Value| {
        v["id"]
            .as_str()
            .or(v["node"]["id"].as_str())
            .map(str::to_owned)
    };
    let items = list.as_array();
    items
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| id(v).expect("id"))
        .collect()
}

/// The city's (coaches, certificates) as this user sees them.
async fn stored(app: &TestApp, token: &str) -> (usize, usize) {
    let body = app.ask(token, COACHES, json!({})).await;
    let edges = body["data"]["coaches"]["edges"].as_array().expect("edges");
    let certs = edges
        .iter()
        .map(|e| e["node"]["certificates"].as_array().map_or(0, Vec::len));
    (edges.len(), certs.sum())
}

async fn rink_ids(app: &TestApp, token: &str) -> Vec<String> {
    ids(&app.ask(token, "{ rinks { id name } }", json!({})).await["data"]["rinks"])
}

async fn coach_ids(app: &TestApp, token: &str) -> Vec<String> {
    ids(&app.ask(token, COACHES, json!({})).await["data"]["coaches"]["edges"])
}

#[tokio::test]
async fn a_chapter_admin_records_coaches_certificates_and_rinks() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    // Every demo coach has a certificate, loaded for the whole page at once.
    assert_eq!(stored(&app, &admin).await, (3, 3));

    let created = app
        .ask(&admin, CREATE_COACH, json!({ "i": coach_input() }))
        .await;
    let coach = &created["data"]["createCoach"];
    assert_eq!(coach["email"], "dina.akhmetova@skate.kz", "{created}");
    assert_eq!(coach["phone"], "+77011234567");
    assert_eq!(coach["qualification"], "MASTER_OF_SPORT");
    assert_eq!(coach["active"], true);
    assert_eq!(coach["certificates"], json!([]));
    let id = coach["id"].as_str().expect("id");

    let added = app
        .ask(&admin, ADD_CERT, json!({ "c": id, "i": cert_input(400) }))
        .await;
    let cert = &added["data"]["addCertificate"];
    assert_eq!(cert["coachId"], id, "{added}");
    assert_eq!(cert["title"], "ISU technical specialist");
    let mut open_ended = cert_input(400);
    open_ended["expiresOn"] = Value::Null;
    let added = app
        .ask(&admin, ADD_CERT, json!({ "c": id, "i": open_ended }))
        .await;
    assert!(added["errors"].is_null(), "{added}");
    assert_eq!(added["data"]["addCertificate"]["expiresOn"], Value::Null);

    let body = app.ask(&admin, COACH, json!({ "id": id })).await;
    assert_eq!(body["data"]["coach"]["lastName"], "Ахметова", "{body}");
    let certs = body["data"]["coach"]["certificates"].as_array();
    assert_eq!(certs.map(Vec::len), Some(2), "{body}");
    assert_eq!(stored(&app, &admin).await, (4, 5));

    let body = app
        .ask(&admin, CREATE_RINK, json!({ "i": rink_input() }))
        .await;
    let rink = body["data"]["createRink"]["id"].as_str().expect("rink id");
    assert!(rink_ids(&app, &admin).await.contains(&rink.to_owned()));
    let body = app.ask(&admin, RINK, json!({ "id": rink })).await;
    assert_eq!(body["data"]["rink"]["name"], "Halyk Arena", "{body}");
}

#[tokio::test]
async fn duplicates_are_conflicts() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let first = app
        .ask(&admin, CREATE_COACH, json!({ "i": coach_input() }))
        .await;
    assert!(first["errors"].is_null(), "{first}");
    // Emails are compared lower-cased.
    let mut again = coach_input();
    again["email"] = json!("DINA.AKHMETOVA@skate.kz");
    let body = app.ask(&admin, CREATE_COACH, json!({ "i": again })).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    let first = app
        .ask(&admin, CREATE_RINK, json!({ "i": rink_input() }))
        .await;
    assert!(first["errors"].is_null(), "{first}");
    let body = app
        .ask(&admin, CREATE_RINK, json!({ "i": rink_input() }))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
}

#[tokio::test]
async fn expiring_certificates_of_active_coaches_are_listed_soonest_first() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let created = app
        .ask(&admin, CREATE_COACH, json!({ "i": coach_input() }))
        .await;
    let coach = created["data"]["createCoach"]["id"].as_str().expect("id");
    let mut certs = Vec::new();
    for days in [5, 200] {
        let body = app
            .ask(
                &admin,
                ADD_CERT,
                json!({ "c": coach, "i": cert_input(days) }),
            )
            .await;
        certs.push(ids(&json!([body["data"]["addCertificate"]])).remove(0));
    }
    let body = app.ask(&admin, EXPIRING, json!({ "d": 10 })).await;
    let soon = ids(&body["data"]["certificatesExpiring"]);
    assert!(
        soon.contains(&certs[0]) && !soon.contains(&certs[1]),
        "{body}"
    );
    // The default looks 30 days ahead.
    let body = app
        .ask(&admin, "{ certificatesExpiring { id } }", json!({}))
        .await;
    let month = ids(&body["data"]["certificatesExpiring"]);
    assert!(
        month.contains(&certs[0]) && !month.contains(&certs[1]),
        "{body}"
    );
    // A year finds both, and the demo coach's certificate, soonest first.
    let body = app.ask(&admin, EXPIRING, json!({ "d": 365 })).await;
    let year = &body["data"]["certificatesExpiring"];
    let all = ids(year);
    assert!(all.contains(&certs[1]) && all.len() >= 3, "{body}");
    let dates: Vec<&str> = year
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["expiresOn"].as_str().expect("date"))
        .collect();
    assert!(dates.is_sorted(), "{dates:?}");
}

/// `base` with the fields of `change` replaced.
fn with(base: Value, change: Value) -> Value {
    let mut input = base;
    for (k, v) in change.as_object().expect("object") {
        input[k] = v.clone();
    }
    input
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_stores_nothing() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (before, rinks_before) = (stored(&app, &admin).await, rink_ids(&app, &admin).await);
    let coach = coach_ids(&app, &admin).await.remove(0);
    let mut cases: Vec<(&str, &str, Value)> = Vec::new();
    for (field, change) in [
        ("firstName", json!({ "firstName": "" })),
        ("firstName", json!({ "firstName": "R2D2" })),
        ("lastName", json!({ "lastName": "x".repeat(101) })),
        ("email", json!({ "email": "not-an-email" })),
        ("phone", json!({ "phone": "12" })),
    ] {
        cases.push((
            field,
            CREATE_COACH,
            json!({ "i": with(coach_input(), change) }),
        ));
    }
    for (field, change) in [
        ("title", json!({ "title": "   " })),
        ("title", json!({ "title": "x".repeat(201) })),
        ("issuer", json!({ "issuer": "" })),
        ("issuer", json!({ "issuer": "a\u{0007}b" })),
        (
            "expiresOn",
            json!({ "issuedOn": "2026-05-01", "expiresOn": "2026-05-01" }),
        ),
        (
            "expiresOn",
            json!({ "issuedOn": "2026-05-01", "expiresOn": "2025-05-01" }),
        ),
    ] {
        cases.push((
            field,
            ADD_CERT,
            json!({ "c": coach, "i": with(cert_input(30), change) }),
        ));
    }
    cases.push((
        "coachId",
        ADD_CERT,
        json!({ "c": "nope", "i": cert_input(30) }),
    ));
    for (field, change) in [
        ("name", json!({ "name": "" })),
        ("name", json!({ "name": "x".repeat(201) })),
        ("address", json!({ "address": "x".repeat(301) })),
        ("address", json!({ "address": "Almaty\nAbay Ave 1" })),
    ] {
        cases.push((
            field,
            CREATE_RINK,
            json!({ "i": with(rink_input(), change) }),
        ));
    }
    for d in [0, 366, -1] {
        cases.push(("withinDays", EXPIRING, json!({ "d": d })));
    }
    cases.push(("id", COACH, json!({ "id": "x" })));
    cases.push(("id", RINK, json!({ "id": "x" })));
    cases.push((
        "first",
        "{ coaches(first: 101) { edges { cursor } } }",
        json!({}),
    ));
    for (field, query, vars) in cases {
        let body = app.ask(&admin, query, vars).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    assert_eq!(stored(&app, &admin).await, before);
    assert_eq!(rink_ids(&app, &admin).await, rinks_before);
}

#[tokio::test]
async fn each_role_gets_only_what_it_may() {
    let (_t, app) = TestApp::seeded().await;
    let coach = app.login("coach@almaty.soi.test").await;
    let student = app.login("student@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    assert_eq!(
        stored(&app, &coach).await,
        (3, 3),
        "coaches read their city's coaches"
    );
    assert!(!rink_ids(&app, &coach).await.is_empty());
    let body = app.ask(&coach, EXPIRING, json!({ "d": 365 })).await;
    assert!(body["errors"].is_null(), "{body}");
    let someone = coach_ids(&app, &coach).await.remove(0);
    let calls = [
        (COACHES, json!({})),
        ("{ rinks { id } }", json!({})),
        ("{ certificatesExpiring { id } }", json!({})),
        (CREATE_COACH, json!({ "i": coach_input() })),
        (ADD_CERT, json!({ "c": someone, "i": cert_input(30) })),
        (CREATE_RINK, json!({ "i": rink_input() })),
    ];
    let writes = &calls[3..];
    for (query, vars) in writes {
        let body = app.ask(&coach, query, vars.clone()).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    }
    for (query, vars) in &calls {
        app.assert_refused(&[&student, &national], query, vars)
            .await;
    }
    let admin = app.login("admin@almaty.soi.test").await;
    assert_eq!(stored(&app, &admin).await, (3, 3), "nothing was written");
}

#[tokio::test]
async fn another_citys_coaches_and_rinks_do_not_exist_for_an_admin() {
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let coaches = coach_ids(&app, &almaty).await;
    let astana_before = stored(&app, &astana).await;
    for id in &coaches {
        let body = app.ask(&astana, COACH, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["coach"], Value::Null, "{body}");
        let body = app
            .ask(&astana, ADD_CERT, json!({ "c": id, "i": cert_input(30) }))
            .await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    }
    let theirs = coach_ids(&app, &astana).await;
    assert!(theirs.iter().all(|id| !coaches.contains(id)), "{theirs:?}");
    for id in rink_ids(&app, &almaty).await {
        let body = app.ask(&astana, RINK, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["rink"], Value::Null, "{body}");
    }
    assert_eq!(stored(&app, &astana).await, astana_before);
    assert_eq!(
        stored(&app, &almaty).await,
        (3, 3),
        "nothing was added in Almaty"
    );
}
