//! Groups and training sessions through the gateway: an admin runs them, a
//! coach schedules only for their own groups, bad input stores nothing, the
//! rink refuses overlaps, and other cities' groups and sessions do not exist.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes};

const CREATE: &str = "mutation($s: ID!, $n: String!) { createGroup(seasonId: $s, name: $n) { id name season { id } members { id } } }";
const ADD: &str = "mutation($g: ID!, $p: [ID!]!) { addGroupMembers(groupId: $g, participantIds: $p) { members { id } } }";
const ASSIGN: &str = "mutation($g: ID!, $c: ID!) { assignCoach(groupId: $g, coachId: $c) { id } }";
const GROUP: &str = "query($id: ID!) { group(id: $id) { name members { id lastName } } }";
const GROUPS: &str = "query($s: ID!) { groups(seasonId: $s) { id name } }";
const SCHEDULE: &str = "mutation($i: SessionInput!) { scheduleSession(input: $i) { id groupId rinkId startsAt endsAt status cancelReason } }";
const MOVE: &str = "mutation($id: ID!, $s: DateTime!, $e: DateTime!) { moveSession(id: $id, startsAt: $s, endsAt: $e) { startsAt endsAt } }";
const CANCEL: &str = "mutation($id: ID!, $r: String!) { cancelSession(id: $id, reason: $r) { status cancelReason } }";
const SESSION: &str = "query($id: ID!) { session(id: $id) { status } }";
const SESSIONS: &str = "query($g: ID!, $f: Int, $a: String) { sessions(groupId: $g, first: $f, after: $a) { edges { node { id startsAt } } pageInfo { hasNextPage endCursor } } }";
const MY_GROUPS: &str = "{ myGroups { id } }";

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| {
            let id = v["id"].as_str().or(v["node"]["id"].as_str());
            id.expect("id").to_owned()
        })
        .collect()
}

/// What a city admin's tests start from: the season in training, its groups,
/// its participants, the rinks and the coaches.
struct City {
    season: String,
    groups: Vec<String>,
    people: Vec<String>,
    rinks: Vec<String>,
    coaches: Vec<String>,
}

async fn city(app: &TestApp, admin: &str) -> City {
    let q = "{ seasons(first: 100) { edges { node { id phase applications(first: 100) { edges { node { participant { id } } } } } } } rinks { id } coaches(first: 100) { edges { node { id } } } }";
    let body = app.ask(admin, q, json!({})).await;
    let seasons = body["data"]["seasons"]["edges"]
        .as_array()
        .expect("seasons");
    let season = seasons
        .iter()
        .find(|s| s["node"]["phase"] == "TRAINING")
        .unwrap_or_else(|| panic!("a season in training: {body}"));
    let apps = season["node"]["applications"]["edges"].as_array();
    let people = apps
        .expect("applications")
        .iter()
        .map(|a| {
            a["node"]["participant"]["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    let id = season["node"]["id"].as_str().expect("season id").to_owned();
    let groups = ids(&app.ask(admin, GROUPS, json!({ "s": id })).await["data"]["groups"]);
    City {
        season: id,
        groups,
        people,
        rinks: ids(&body["data"]["rinks"]),
        coaches: ids(&body["data"]["coaches"]["edges"]),
    }
}

fn session(group: &str, rink: &str, starts: &str, ends: &str) -> Value {
    json!({ "i": { "groupId": group, "rinkId": rink, "startsAt": starts, "endsAt": ends } })
}

/// How many sessions the group has (all fit one page).
async fn session_count(app: &TestApp, token: &str, group: &str) -> usize {
    let body = app
        .ask(token, SESSIONS, json!({ "g": group, "f": 100 }))
        .await;
    body["data"]["sessions"]["edges"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn an_admin_runs_groups_and_their_sessions() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let adm = |q: &'static str, v: Value| app.ask(&admin, q, v);
    let c = city(&app, &admin).await;
    assert_eq!(c.groups.len(), 2);

    let body = adm(CREATE, json!({ "s": c.season, "n": "Evening" })).await;
    let group = &body["data"]["createGroup"];
    assert_eq!(group["season"]["id"], c.season.as_str(), "{body}");
    assert_eq!(group["members"], json!([]));
    let g = group["id"].as_str().expect("group id").to_owned();
    let again = adm(CREATE, json!({ "s": c.season, "n": "Evening" })).await;
    assert_eq!(codes(&again), ["CONFLICT"], "{again}");

    let two = &c.people[..2];
    let body = adm(ADD, json!({ "g": g, "p": two })).await;
    assert_eq!(
        ids(&body["data"]["addGroupMembers"]["members"]).len(),
        2,
        "{body}"
    );
    // Adding someone twice keeps one membership.
    let body = adm(ADD, json!({ "g": g, "p": [&c.people[0]] })).await;
    assert_eq!(
        ids(&body["data"]["addGroupMembers"]["members"]).len(),
        2,
        "{body}"
    );
    let body = adm(ASSIGN, json!({ "g": g, "c": c.coaches[0] })).await;
    assert!(body["errors"].is_null(), "{body}");
    let body = adm(GROUP, json!({ "id": g })).await;
    assert_eq!(body["data"]["group"]["name"], "Evening", "{body}");
    assert_eq!(ids(&body["data"]["group"]["members"]).len(), 2);
    let listed = adm(GROUPS, json!({ "s": c.season })).await;
    assert_eq!(ids(&listed["data"]["groups"]).len(), 3);

    let rink = &c.rinks[0];
    let body = adm(
        SCHEDULE,
        session(&g, rink, "2027-06-07T03:00:00Z", "2027-06-07T05:00:00Z"),
    )
    .await;
    let s = &body["data"]["scheduleSession"];
    assert_eq!(s["status"], "SCHEDULED", "{body}");
    assert_eq!(s["cancelReason"], Value::Null);
    let id = s["id"].as_str().expect("session id").to_owned();
    let overlap = session(&g, rink, "2027-06-07T04:00:00Z", "2027-06-07T06:00:00Z");
    let body = adm(SCHEDULE, overlap.clone()).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");

    let moved = json!({ "id": id, "s": "2027-06-08T03:00:00Z", "e": "2027-06-08T04:30:00Z" });
    let body = adm(MOVE, moved).await;
    assert_eq!(
        body["data"]["moveSession"]["endsAt"], "2027-06-08T04:30:00+00:00",
        "{body}"
    );
    // The old time is free now.
    let body = adm(SCHEDULE, overlap).await;
    assert!(body["errors"].is_null(), "{body}");

    let body = adm(SESSIONS, json!({ "g": g, "f": 1 })).await;
    let page = &body["data"]["sessions"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "{body}");
    let after = page["pageInfo"]["endCursor"].as_str().expect("cursor");
    let body = adm(SESSIONS, json!({ "g": g, "f": 5, "a": after })).await;
    let page = &body["data"]["sessions"];
    assert_eq!(ids(&page["edges"]), [id.as_str()], "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);

    let body = adm(CANCEL, json!({ "id": id, "r": "Ice maintenance" })).await;
    let cancelled = &body["data"]["cancelSession"];
    assert_eq!(cancelled["status"], "CANCELLED", "{body}");
    assert_eq!(cancelled["cancelReason"], "Ice maintenance");
    let body = adm(CANCEL, json!({ "id": id, "r": "Again" })).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    let body = adm(
        MOVE,
        json!({ "id": id, "s": "2027-06-09T03:00:00Z", "e": "2027-06-09T04:00:00Z" }),
    )
    .await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    let body = adm(SESSION, json!({ "id": id })).await;
    assert_eq!(body["data"]["session"]["status"], "CANCELLED", "{body}");
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_stores_nothing() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let adm = |q: &'static str, v: Value| app.ask(&admin, q, v);
    let c = city(&app, &admin).await;
    let (g, rink) = (&c.groups[0], &c.rinks[0]);
    let sessions_before = session_count(&app, &admin, g).await;
    let members_before = adm(GROUP, json!({ "id": g })).await;
    let first = adm(SESSIONS, json!({ "g": g, "f": 1 })).await;
    let demo_session = ids(&first["data"]["sessions"]["edges"]).remove(0);
    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let (start, hour, thirteen) = (
        "2027-06-07T03:00:00Z",
        "2027-06-07T04:00:00Z",
        "2027-06-07T16:00:00Z",
    );
    let cases = [
        ("endsAt", SCHEDULE, session(g, rink, hour, start)),
        ("endsAt", SCHEDULE, session(g, rink, start, start)),
        ("endsAt", SCHEDULE, session(g, rink, start, thirteen)),
        ("groupId", SCHEDULE, session("nope", rink, start, hour)),
        ("rinkId", SCHEDULE, session(g, "nope", start, hour)),
        (
            "endsAt",
            MOVE,
            json!({ "id": demo_session, "s": hour, "e": start }),
        ),
        (
            "endsAt",
            MOVE,
            json!({ "id": demo_session, "s": start, "e": thirteen }),
        ),
        ("id", MOVE, json!({ "id": "nope", "s": start, "e": hour })),
        ("reason", CANCEL, json!({ "id": demo_session, "r": "" })),
        ("reason", CANCEL, json!({ "id": demo_session, "r": "   " })),
        (
            "reason",
            CANCEL,
            json!({ "id": demo_session, "r": "x".repeat(1001) }),
        ),
        ("id", CANCEL, json!({ "id": "nope", "r": "Ice" })),
        ("participantIds", ADD, json!({ "g": g, "p": too_many })),
        (
            "participantIds",
            ADD,
            json!({ "g": g, "p": [&c.people[0], "nope"] }),
        ),
        ("groupId", ADD, json!({ "g": "nope", "p": [&c.people[0]] })),
        ("name", CREATE, json!({ "s": c.season, "n": "" })),
        (
            "name",
            CREATE,
            json!({ "s": c.season, "n": "x".repeat(201) }),
        ),
        ("seasonId", CREATE, json!({ "s": "nope", "n": "Evening" })),
        ("coachId", ASSIGN, json!({ "g": g, "c": "nope" })),
        ("groupId", ASSIGN, json!({ "g": "nope", "c": c.coaches[0] })),
        ("id", GROUP, json!({ "id": "nope" })),
        ("id", SESSION, json!({ "id": "nope" })),
        ("seasonId", GROUPS, json!({ "s": "nope" })),
        ("groupId", SESSIONS, json!({ "g": "nope" })),
        ("first", SESSIONS, json!({ "g": g, "f": 101 })),
        ("first", SESSIONS, json!({ "g": g, "f": 0 })),
        ("after", SESSIONS, json!({ "g": g, "a": "yesterday" })),
    ];
    for (field, query, vars) in cases {
        let body = adm(query, vars).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    assert_eq!(session_count(&app, &admin, g).await, sessions_before);
    assert_eq!(adm(GROUP, json!({ "id": g })).await, members_before);
    let body = adm(SESSION, json!({ "id": demo_session })).await;
    assert_eq!(body["data"]["session"]["status"], "SCHEDULED", "{body}");
    let listed = adm(GROUPS, json!({ "s": c.season })).await;
    assert_eq!(ids(&listed["data"]["groups"]).len(), 2, "{listed}");
}

#[tokio::test]
async fn a_coach_schedules_only_for_their_groups_and_others_may_not() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let adm = |q: &'static str, v: Value| app.ask(&admin, q, v);
    let coach = app.login("coach@almaty.soi.test").await;
    let c = city(&app, &admin).await;
    let mine = ids(&app.ask(&coach, MY_GROUPS, json!({})).await["data"]["myGroups"]);
    assert_eq!(mine.len(), 1, "{mine:?}");
    let other = c
        .groups
        .iter()
        .find(|g| **g != mine[0])
        .expect("the other group");
    let rink = &c.rinks[1];
    let mine_before = session_count(&app, &admin, &mine[0]).await;
    let (start, end) = ("2027-06-14T03:00:00Z", "2027-06-14T05:00:00Z");
    let body = app
        .ask(&coach, SCHEDULE, session(&mine[0], rink, start, end))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let before = session_count(&app, &admin, other).await;
    let body = app
        .ask(
            &coach,
            SCHEDULE,
            session(other, rink, "2027-06-15T03:00:00Z", "2027-06-15T05:00:00Z"),
        )
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    // Their sessions are readable but not theirs to change.
    let page = app
        .ask(&coach, SESSIONS, json!({ "g": other, "f": 1 }))
        .await;
    let theirs = ids(&page["data"]["sessions"]["edges"]).remove(0);
    let body = app
        .ask(&coach, CANCEL, json!({ "id": theirs, "r": "Ill" }))
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let body = app
        .ask(&coach, MOVE, json!({ "id": theirs, "s": start, "e": end }))
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(session_count(&app, &admin, other).await, before);

    let writes = [
        (CREATE, json!({ "s": c.season, "n": "Coach's own" })),
        (ADD, json!({ "g": mine[0], "p": [&c.people[0]] })),
        (ASSIGN, json!({ "g": other, "c": c.coaches[0] })),
    ];
    for (query, vars) in &writes {
        let body = app.ask(&coach, query, vars.clone()).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{query}: {body}");
    }
    let body = adm(MY_GROUPS, json!({})).await;
    assert_eq!(
        codes(&body),
        ["FORBIDDEN"],
        "an admin coaches no group: {body}"
    );

    let student = app.login("student@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    let later = session(
        &mine[0],
        rink,
        "2027-06-21T03:00:00Z",
        "2027-06-21T04:00:00Z",
    );
    let mut calls = vec![
        (GROUPS, json!({ "s": c.season })),
        (GROUP, json!({ "id": mine[0] })),
        (MY_GROUPS, json!({})),
        (SESSIONS, json!({ "g": mine[0] })),
        (SESSION, json!({ "id": theirs })),
        (SCHEDULE, later),
        (MOVE, json!({ "id": theirs, "s": start, "e": end })),
        (CANCEL, json!({ "id": theirs, "r": "Ill" })),
    ];
    calls.extend(writes);
    for (query, vars) in &calls {
        app.assert_refused(&[&student, &national], query, vars)
            .await;
    }
    assert_eq!(session_count(&app, &admin, &mine[0]).await, mine_before + 1);
    let listed = adm(GROUPS, json!({ "s": c.season })).await;
    assert_eq!(
        ids(&listed["data"]["groups"]).len(),
        2,
        "nothing was created"
    );
}

#[tokio::test]
async fn another_citys_groups_and_sessions_do_not_exist_for_an_admin() {
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let a = city(&app, &almaty).await;
    let b = city(&app, &astana).await;
    let g = &a.groups[0];
    let first = app.ask(&almaty, SESSIONS, json!({ "g": g, "f": 1 })).await;
    let s = ids(&first["data"]["sessions"]["edges"]).remove(0);
    let before = session_count(&app, &almaty, g).await;

    let body = app.ask(&astana, GROUP, json!({ "id": g })).await;
    assert_eq!(body["data"]["group"], Value::Null, "{body}");
    let body = app.ask(&astana, SESSION, json!({ "id": s })).await;
    assert_eq!(body["data"]["session"], Value::Null, "{body}");
    let body = app.ask(&astana, GROUPS, json!({ "s": a.season })).await;
    assert_eq!(body["data"]["groups"], json!([]), "{body}");
    assert_eq!(session_count(&app, &astana, g).await, 0);

    let (start, end) = ("2027-06-07T03:00:00Z", "2027-06-07T04:00:00Z");
    let mutations = [
        (CREATE, json!({ "s": a.season, "n": "Borrowed" })),
        (ADD, json!({ "g": g, "p": [&b.people[0]] })),
        (ADD, json!({ "g": b.groups[0], "p": [&a.people[0]] })),
        (ASSIGN, json!({ "g": g, "c": b.coaches[0] })),
        (ASSIGN, json!({ "g": b.groups[0], "c": a.coaches[0] })),
        (SCHEDULE, session(g, &b.rinks[0], start, end)),
        (SCHEDULE, session(&b.groups[0], &a.rinks[0], start, end)),
        (MOVE, json!({ "id": s, "s": start, "e": end })),
        (CANCEL, json!({ "id": s, "r": "Borrowed" })),
    ];
    for (query, vars) in mutations {
        let body = app.ask(&astana, query, vars).await;
        assert_eq!(codes(&body), ["NOT_FOUND"], "{query}: {body}");
    }
    assert_eq!(session_count(&app, &almaty, g).await, before);
    let body = app.ask(&almaty, SESSION, json!({ "id": s })).await;
    assert_eq!(body["data"]["session"]["status"], "SCHEDULED", "{body}");
    let listed = app.ask(&almaty, GROUPS, json!({ "s": a.season })).await;
    assert_eq!(ids(&listed["data"]["groups"]).len(), 2);
}

#[tokio::test]
async fn upcoming_sessions_are_the_citys_scheduled_ones_from_now_soonest_first() {
    const UPCOMING: &str =
        "query($f: Int) { upcomingSessions(first: $f) { id groupId startsAt status } }";
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let a = city(&app, &almaty).await;
    let body = app.ask(&almaty, UPCOMING, json!({ "f": 50 })).await;
    let list = body["data"]["upcomingSessions"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {body}"));
    assert!(!list.is_empty(), "the demo season trains on: {body}");
    let now = chrono::Utc::now().to_rfc3339();
    let starts: Vec<&str> = list.iter().filter_map(|s| s["startsAt"].as_str()).collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "soonest first: {starts:?}"
    );
    assert!(
        starts.iter().all(|s| *s >= now.as_str()),
        "none in the past: {starts:?}"
    );
    assert!(list.iter().all(|s| s["status"] == "SCHEDULED"), "{body}");
    assert!(list.iter().all(|s| {
        a.groups
            .contains(&s["groupId"].as_str().unwrap_or_default().to_owned())
    }));

    // Cancelled, the soonest leaves the list; another city never sees it.
    let soonest = list[0]["id"].as_str().expect("id").to_owned();
    let body = app
        .ask(
            &almaty,
            CANCEL,
            json!({ "id": soonest, "r": "Ice maintenance" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.ask(&almaty, UPCOMING, json!({ "f": 50 })).await;
    assert!(
        !ids(&body["data"]["upcomingSessions"]).contains(&soonest),
        "{body}"
    );
    let body = app.ask(&astana, UPCOMING, json!({ "f": 50 })).await;
    let theirs = ids(&body["data"]["upcomingSessions"]);
    assert!(
        !theirs.is_empty()
            && !theirs
                .iter()
                .any(|id| list.iter().any(|s| s["id"] == id.as_str())),
        "{body}"
    );
    let body = app.ask(&almaty, UPCOMING, json!({ "f": 51 })).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
}
