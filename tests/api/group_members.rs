//! A season's groups with their members and attendance rates (the gateway
//! bench's shape (b)): each member's row and rate are what reading them one
//! by one gives, a coach gets no more than before, and the whole nesting
//! costs one statement beyond the groups themselves, however many groups.

use serde_json::{Value, json};
use soi_core::{Email, ParticipantId, PersonName};
use soi_db::program::groups::Group;
use soi_db::program::{group_members, participants};
use soi_tests::{TestApp, TestDb, tenant};
use sqlx::PgConnection;

const SHAPE_B: &str = "query($s: ID!) { groups(seasonId: $s) { name members { firstName lastName attendanceRate } } }";
const NAMES_ONLY: &str =
    "query($s: ID!) { groups(seasonId: $s) { name members { firstName lastName } } }";
const GROUPS_ONLY: &str = "query($s: ID!) { groups(seasonId: $s) { name } }";
const IDS: &str = "query($s: ID!) { groups(seasonId: $s) { members { id attendanceRate } } }";
const EMAILS: &str = "query($s: ID!) { groups(seasonId: $s) { members { email } } }";
const ONE: &str = "query($id: ID!) { participant(id: $id) { firstName lastName attendanceRate } }";
const ADD: &str = "mutation($g: ID!, $p: [ID!]!) { addGroupMembers(groupId: $g, participantIds: $p) { members { id attendanceRate } } }";

/// Almaty's demo season in training with two groups: `shared`, a member of
/// the first group with marks, is added to the second too, and `unmarked`,
/// a new participant never marked, to the first.
struct Fixture {
    season: String,
    groups: Vec<Group>,
    shared: ParticipantId,
    unmarked: ParticipantId,
}

/// (attended, marked) of a participant over all their marks, counted from
/// the table itself.
async fn marks(raw: &mut PgConnection, p: ParticipantId) -> (i64, i64) {
    sqlx::query_as(
        "select count(*) filter (where mark in ('present', 'late')), count(*) \
         from attendance where participant_id = $1",
    )
    .bind(p.as_uuid())
    .fetch_one(raw)
    .await
    .expect("marks")
}

async fn fixture(t: &TestDb, app: &TestApp, admin: &str) -> Fixture {
    let db = t.db().await;
    let city = t.city("almaty").await;
    let mut tx = tenant(&db, city.id).await;
    let (_, own, other) = soi_tests::demo_coach_groups(&db, &mut tx, "almaty").await;
    let own_members = group_members::members(&mut tx, own.id)
        .await
        .expect("members");
    let other_members = group_members::members(&mut tx, other.id)
        .await
        .expect("members");
    let like = participants::get(&mut tx, own_members[0])
        .await
        .expect("participant");
    let unmarked = ParticipantId::new();
    let new = participants::NewParticipant {
        first_name: PersonName::parse("firstName", "Жанар").expect("name"),
        last_name: PersonName::parse("lastName", "Белгісіз").expect("name"),
        email: Email::parse("zhanar.unmarked@mail.soi.test").expect("email"),
        phone: None,
        university: None,
        birth_date: None,
        preferred_language: like.preferred_language,
        consent: participants::Consent {
            given_at: like.consent_given_at,
            text_version: like.consent_text_version.clone(),
            method: like.consent_method,
        },
        guardian_name: None,
    };
    participants::insert(&mut tx, unmarked, &new)
        .await
        .expect("participant");
    let groups = soi_db::program::groups::list_by_season(&mut tx, own.season_id)
        .await
        .expect("groups");
    tx.commit().await.expect("commit");

    let mut raw = t.raw().await;
    let mut shared = None;
    for p in own_members.iter().filter(|p| !other_members.contains(p)) {
        if marks(&mut raw, *p).await.1 > 0 {
            shared = Some(*p);
            break;
        }
    }
    let shared = shared.expect("a member of the coach's group with marks");
    // Through the gateway: a mutation's answer reads its members too (in a
    // transaction of its own, with no cache), rates included.
    for (group, who) in [(other.id, shared), (own.id, unmarked)] {
        let added = app
            .field(
                admin,
                ADD,
                json!({ "g": group.to_string(), "p": [who.to_string()] }),
                "addGroupMembers",
            )
            .await;
        let me = added["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["id"] == who.to_string())
            .unwrap_or_else(|| panic!("{who} missing: {added}"))
            .clone();
        assert_eq!(
            me["attendanceRate"],
            one_by_one(app, admin, who).await["attendanceRate"]
        );
    }
    Fixture {
        season: own.season_id.to_string(),
        groups,
        shared,
        unmarked,
    }
}

/// A participant as `participant(id:)` reads them: their own row and rate.
async fn one_by_one(app: &TestApp, admin: &str, p: ParticipantId) -> Value {
    let body = app.ok(admin, ONE, json!({ "id": p.to_string() })).await;
    assert!(body["participant"].is_object(), "{body}");
    body["participant"].clone()
}

/// Shape (b) built another way: each group's members from the group alone,
/// in id order, each read by `participant(id:)`.
async fn expected(t: &TestDb, app: &TestApp, admin: &str, groups: &[Group]) -> Value {
    let db = t.db().await;
    let city = t.city("almaty").await;
    let mut out = Vec::new();
    for g in groups {
        let mut tx = tenant(&db, city.id).await;
        let ids = group_members::members(&mut tx, g.id)
            .await
            .expect("members");
        tx.commit().await.expect("commit");
        let mut members = Vec::new();
        for p in ids {
            members.push(one_by_one(app, admin, p).await);
        }
        out.push(json!({ "name": g.name, "members": members }));
    }
    json!({ "groups": out })
}

/// The rates `p` is shown with, group after group.
async fn rates_of(app: &TestApp, admin: &str, season: &str, p: ParticipantId) -> Vec<Value> {
    let body = app.ok(admin, IDS, json!({ "s": season })).await;
    body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["members"].as_array().expect("members").iter())
        .filter(|m| m["id"] == p.to_string())
        .map(|m| m["attendanceRate"].clone())
        .collect()
}

#[tokio::test]
async fn group_members_and_their_rates_are_what_reading_each_one_gives() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let f = fixture(&t, &app, &admin).await;
    let vars = json!({ "s": f.season });

    let answer = app.ok(&admin, SHAPE_B, vars.clone()).await;
    assert_eq!(answer, expected(&t, &app, &admin, &f.groups).await);

    // The member of two groups has one rate, over all their marks (not only
    // one group's sessions); the member never marked has 0.
    let mut raw = t.raw().await;
    let shared = one_by_one(&app, &admin, f.shared).await;
    let (attended, marked) = marks(&mut raw, f.shared).await;
    assert!(marked > 0);
    let rate = attended as f64 / marked as f64;
    assert_eq!(shared["attendanceRate"].as_f64(), Some(rate), "{shared}");
    let shown = rates_of(&app, &admin, &f.season, f.shared).await;
    assert_eq!(shown, [json!(rate), json!(rate)]);
    assert_eq!(marks(&mut raw, f.unmarked).await, (0, 0));
    let shown = rates_of(&app, &admin, &f.season, f.unmarked).await;
    assert_eq!(shown, [json!(0.0)]);

    // Without rates in the selection: the same members and names.
    let names = app.ok(&admin, NAMES_ONLY, vars.clone()).await;
    let mut without_rates = answer.clone();
    for g in without_rates["groups"].as_array_mut().expect("groups") {
        for m in g["members"].as_array_mut().expect("members") {
            m.as_object_mut().expect("member").remove("attendanceRate");
        }
    }
    assert_eq!(names, without_rates);

    // A coach reads the same members and rates, and no personal field.
    let coach = app.login("coach@almaty.soi.test").await;
    assert_eq!(app.ok(&coach, SHAPE_B, vars.clone()).await, answer);
    let emails = |body: Value| -> Vec<Value> {
        body["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| g["members"].as_array().expect("members").clone())
            .map(|m| m["email"].clone())
            .collect()
    };
    let by_coach = emails(app.ok(&coach, EMAILS, vars.clone()).await);
    assert!(!by_coach.is_empty() && by_coach.iter().all(Value::is_null));
    let by_admin = emails(app.ok(&admin, EMAILS, vars).await);
    assert!(by_admin.iter().all(Value::is_string), "{by_admin:?}");
}

/// Statements Almaty's tenant transactions have run, from `/metrics`
/// (`None` before its first transaction).
fn statements(metrics: &str, city: &str) -> Option<u64> {
    let prefix = format!("soi_city_db_statements_total{{city=\"{city}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse().expect("a count"))
}

/// The statements one query ran in Almaty. A scrape of `/metrics` counts
/// every city's outbox now and then (at most every 30 s), in every city's
/// transactions: Astana does nothing here, so a reading during which its
/// figure moved is taken again.
async fn statements_of(app: &TestApp, token: &str, query: &str, vars: &Value) -> u64 {
    for _ in 0..3 {
        let before = app.metrics_text().await;
        app.ok(token, query, vars.clone()).await;
        let after = app.metrics_text().await;
        if statements(&before, "astana") == statements(&after, "astana") {
            let of = |m: &str| statements(m, "almaty").expect("almaty's statements");
            return of(&after) - of(&before);
        }
    }
    panic!("the outbox count kept landing in the readings");
}

#[tokio::test]
async fn a_season_s_groups_with_members_and_rates_cost_one_statement_more_than_the_groups() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let f = fixture(&t, &app, &admin).await;
    assert!(f.groups.len() >= 2, "a page of several groups");
    let vars = json!({ "s": f.season });

    let groups = statements_of(&app, &admin, GROUPS_ONLY, &vars).await;
    assert!(groups > 0);
    let shape_b = statements_of(&app, &admin, SHAPE_B, &vars).await;
    assert_eq!(shape_b, groups + 1, "members, their rows and rates in one");
    let names = statements_of(&app, &admin, NAMES_ONLY, &vars).await;
    assert_eq!(names, groups + 1);
    // Members asked twice, once with rates and once without: still the one
    // statement (with the rates), for every group of the page.
    let twice = "query($s: ID!) { groups(seasonId: $s) { name a: members { firstName } b: members { lastName attendanceRate } } }";
    assert_eq!(statements_of(&app, &admin, twice, &vars).await, groups + 1);
}
