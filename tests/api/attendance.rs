//! Recording attendance over the API: a coach for their own groups only, a
//! whole session at once, only members of the session's group.

use serde_json::{Value, json};
use soi_core::{GroupId, SessionId};
use soi_db::Page;
use soi_db::program::{group_members, sessions};
use soi_tests::{TestApp, TestDb, codes, tenant};

const RECORD: &str = "mutation($s: ID!, $m: [MarkInput!]!) { recordAttendance(sessionId: $s, marks: $m) { participantId mark } }";

struct Demo {
    own_session: SessionId,
    own_members: Vec<String>,
    other_session: SessionId,
    other_members: Vec<String>,
    own_group: GroupId,
}

async fn demo(t: &TestDb) -> Demo {
    let db = t.db().await;
    t.seed_demo(1).await;
    let city = t.city("almaty").await;
    let mut tx = tenant(&db, city.id).await;
    let (_, own, other) = soi_tests::demo_coach_groups(&db, &mut tx, "almaty").await;
    let own_session = sessions::list_by_group(&mut tx, own.id, Page::first(1))
        .await
        .expect("sessions")[0]
        .id;
    let other_session = sessions::list_by_group(&mut tx, other.id, Page::first(1))
        .await
        .expect("sessions")[0]
        .id;
    let ids =
        |v: Vec<soi_core::ParticipantId>| v.into_iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let own_members = ids(group_members::members(&mut tx, own.id)
        .await
        .expect("members"));
    let other_members = ids(group_members::members(&mut tx, other.id)
        .await
        .expect("members"));
    tx.commit().await.expect("commit");
    Demo {
        own_session,
        own_members,
        other_session,
        other_members,
        own_group: own.id,
    }
}

fn marks(members: &[String], mark: &str) -> Value {
    Value::Array(
        members
            .iter()
            .map(|p| json!({ "participantId": p, "mark": mark }))
            .collect(),
    )
}

#[tokio::test]
async fn a_coach_records_a_whole_session_of_their_own_group_only() {
    let t = TestDb::new().await;
    let d = demo(&t).await;
    let app = TestApp::spawn(&t).await;
    let coach = app.login("coach@almaty.soi.test").await;

    let (_, done) = app
        .graphql_as(
            Some(&coach),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": marks(&d.own_members, "LATE") }),
        )
        .await;
    let stored = done["data"]["recordAttendance"]
        .as_array()
        .unwrap_or_else(|| panic!("{done}"));
    assert_eq!(stored.len(), d.own_members.len());
    assert!(stored.iter().all(|m| m["mark"] == "LATE"));

    let (_, other) = app
        .graphql_as(
            Some(&coach),
            RECORD,
            json!({ "s": d.other_session.to_string(), "m": marks(&d.other_members, "ABSENT") }),
        )
        .await;
    assert_eq!(codes(&other), ["FORBIDDEN"], "{other}");

    let (_, stranger) = app
        .graphql_as(
            Some(&coach),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": marks(&d.other_members[..1], "PRESENT") }),
        )
        .await;
    assert_eq!(codes(&stranger), ["BAD_USER_INPUT"], "{stranger}");
    let twice = marks(
        &[d.own_members[0].clone(), d.own_members[0].clone()],
        "PRESENT",
    );
    let (_, dup) = app
        .graphql_as(
            Some(&coach),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": twice }),
        )
        .await;
    assert_eq!(codes(&dup), ["BAD_USER_INPUT"]);
    let (_, empty) = app
        .graphql_as(
            Some(&coach),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": [] }),
        )
        .await;
    assert_eq!(codes(&empty), ["BAD_USER_INPUT"]);

    let (_, rates) = app
        .graphql_as(Some(&coach), "query($g: ID!) { attendanceRates(groupId: $g) { participantId attended marked rate } }", json!({ "g": d.own_group.to_string() }))
        .await;
    let rates = rates["data"]["attendanceRates"].as_array().expect("rates");
    assert_eq!(rates.len(), d.own_members.len());
    assert!(rates.iter().all(|r| r["marked"].as_i64() > Some(0)
        && r["rate"].as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))));

    let (_, group) = app
        .graphql_as(
            Some(&coach),
            "query($g: ID!) { group(id: $g) { attendanceRate } }",
            json!({ "g": d.own_group.to_string() }),
        )
        .await;
    let group_rate = group["data"]["group"]["attendanceRate"]
        .as_f64()
        .unwrap_or_else(|| panic!("{group}"));
    let (sum_attended, sum_marked) = rates.iter().fold((0, 0), |(a, m), r| {
        (
            a + r["attended"].as_i64().expect("attended"),
            m + r["marked"].as_i64().expect("marked"),
        )
    });
    assert!(
        (group_rate - sum_attended as f64 / sum_marked as f64).abs() < 1e-9,
        "group rate {group_rate}"
    );
    let admin = app.login("admin@almaty.soi.test").await;
    let (_, by_admin) = app
        .graphql_as(
            Some(&admin),
            RECORD,
            json!({ "s": d.other_session.to_string(), "m": marks(&d.other_members, "EXCUSED") }),
        )
        .await;
    assert_eq!(
        by_admin["data"]["recordAttendance"]
            .as_array()
            .map(Vec::len),
        Some(d.other_members.len()),
        "{by_admin}"
    );
}

#[tokio::test]
async fn students_see_their_own_marks_and_other_cities_see_nothing() {
    let t = TestDb::new().await;
    let d = demo(&t).await;
    let app = TestApp::spawn(&t).await;
    const MARKS: &str =
        "query($s: ID!) { sessionAttendance(sessionId: $s) { participantId mark } }";
    let student = app.login("student@almaty.soi.test").await;
    let (_, me) = app
        .graphql_as(Some(&student), "{ myProfile { id } }", json!({}))
        .await;
    let my_id = me["data"]["myProfile"]["id"].clone();
    for session in [d.own_session, d.other_session] {
        let (_, seen) = app
            .graphql_as(Some(&student), MARKS, json!({ "s": session.to_string() }))
            .await;
        let seen = seen["data"]["sessionAttendance"]
            .as_array()
            .expect("marks")
            .clone();
        assert!(seen.iter().all(|m| m["participantId"] == my_id), "{seen:?}");
    }
    let (_, write) = app
        .graphql_as(
            Some(&student),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": marks(&d.own_members, "PRESENT") }),
        )
        .await;
    assert_eq!(codes(&write), ["FORBIDDEN"]);

    let astana = app.login("admin@astana.soi.test").await;
    let (_, foreign) = app
        .graphql_as(
            Some(&astana),
            MARKS,
            json!({ "s": d.own_session.to_string() }),
        )
        .await;
    assert_eq!(foreign["data"]["sessionAttendance"], json!([]));
    let (_, foreign_write) = app
        .graphql_as(
            Some(&astana),
            RECORD,
            json!({ "s": d.own_session.to_string(), "m": marks(&d.own_members, "PRESENT") }),
        )
        .await;
    assert_eq!(codes(&foreign_write), ["NOT_FOUND"]);
}
