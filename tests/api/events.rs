//! Events through the gateway: preparing a show and its tickets, the public
//! listing with seats left, roles, typed errors with nothing stored, the
//! running order, judges' marks with placements, and other cities' events
//! out of reach.

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb, codes};
use std::sync::Arc;

pub(crate) const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id kind title status startsAt startsAtLocal holdMinutes causeId rink { name } } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { id title motto } }";
const PUBLISH: &str = "mutation($id: ID!) { publishEvent(id: $id) { id status } }";
const DONE: &str = "mutation($id: ID!) { markEventDone(id: $id) { id status } }";
pub(crate) const ADD_TICKET: &str = "mutation($e: ID!, $i: TicketTypeInput!) { addTicketType(eventId: $e, input: $i) { id name priceTiyn quota remaining } }";
const QUOTA: &str =
    "mutation($id: ID!, $q: Int!) { setTicketQuota(id: $id, quota: $q) { id quota remaining } }";
pub(crate) const ADD_PARTNER: &str = "mutation($e: ID!, $i: PartnerInput!) { addEventPartner(eventId: $e, input: $i) { id name website } }";
const ADD_NUMBER: &str = "mutation($e: ID!, $i: PerformanceInput!) { addPerformance(eventId: $e, input: $i) { id runningOrder title } }";
const REORDER: &str = "mutation($e: ID!, $p: [ID!]!) { reorderPerformances(eventId: $e, performanceIds: $p) { id runningOrder } }";
const REMOVE_NUMBER: &str = "mutation($id: ID!) { removePerformance(id: $id) }";
pub(crate) const PERFORMERS: &str = "mutation($p: ID!, $who: [ID!]!) { setPerformers(performanceId: $p, participantIds: $who) { id performers { participantId firstName } } }";
const MARK: &str = "mutation($p: ID!, $j: String!, $s: Float!) { recordJudgeMark(performanceId: $p, judge: $j, score: $s) { judge score } }";
pub(crate) const EVENT: &str = "query($id: ID!) { event(id: $id) { id title status partners { name } performances { id runningOrder title performers { participantId lastName } result { averageScore judges place } } ticketTypes { name priceTiyn quota remaining } } }";
const PUBLIC: &str = "query($c: String!) { publicEvents(city: $c) { id title startsAtLocal rink { name } partners { name } performances { runningOrder title performerCount result { place } } ticketTypes { id name priceTiyn remaining } } }";
const PUBLIC_ONE: &str =
    "query($c: String!, $id: ID!) { publicEvent(city: $c, id: $id) { id status } }";

/// A signed-in admin of almaty with the training season and a rink.
pub(crate) struct Admin {
    pub(crate) app: Arc<TestApp>,
    token: String,
    season: String,
    pub(crate) rink: String,
}

impl Admin {
    pub(crate) async fn ask(&self, query: &str, vars: Value) -> Value {
        self.app.ask(&self.token, query, vars).await
    }

    /// Runs a mutation that must succeed; returns its field.
    pub(crate) async fn ok(&self, query: &str, vars: Value) -> Value {
        let data = self.app.ok(&self.token, query, vars).await;
        let data = data.as_object().expect("data");
        data.values().next().cloned().expect("field")
    }

    async fn event(&self, kind: &str, title: &str) -> String {
        let e = self
            .ok(CREATE, json!({ "i": self.input(kind, title) }))
            .await;
        e["id"].as_str().expect("event id").to_owned()
    }

    fn input(&self, kind: &str, title: &str) -> Value {
        json!({ "seasonId": self.season, "kind": kind, "title": title, "motto": "Лёд для всех",
                "socialTheme": "Clean water for the city", "rinkId": self.rink,
                "startsAt": "2027-03-28T13:00:00Z" })
    }

    async fn ticket(&self, event: &str, name: &str, price: i64, quota: i32) -> String {
        let t = self
            .ok(
                ADD_TICKET,
                json!({ "e": event, "i": { "name": name, "priceTiyn": price, "quota": quota } }),
            )
            .await;
        t["id"].as_str().expect("ticket type id").to_owned()
    }

    pub(crate) async fn number(&self, event: &str, title: &str) -> String {
        let p = self
            .ok(
                ADD_NUMBER,
                json!({ "e": event, "i": { "title": title, "socialIssue": "Stray animals" } }),
            )
            .await;
        p["id"].as_str().expect("performance id").to_owned()
    }

    async fn read(&self, event: &str) -> Value {
        self.ask(EVENT, json!({ "id": event })).await["data"]["event"].clone()
    }
}

async fn admin_of(app: Arc<TestApp>, slug: &str) -> Admin {
    let token = app.login(&format!("admin@{slug}.soi.test")).await;
    let (_, body) = app
        .graphql_as(
            Some(&token),
            "{ seasons(first: 10) { edges { node { id phase } } } rinks { id } }",
            json!({}),
        )
        .await;
    let season = body["data"]["seasons"]["edges"]
        .as_array()
        .expect("seasons")
        .iter()
        .find(|e| e["node"]["phase"] == "TRAINING")
        .and_then(|e| e["node"]["id"].as_str())
        .expect("a season in training")
        .to_owned();
    let rink = body["data"]["rinks"][0]["id"]
        .as_str()
        .expect("rink")
        .to_owned();
    Admin {
        app,
        token,
        season,
        rink,
    }
}

pub(crate) async fn seeded_admin() -> (TestDb, Admin) {
    let (t, app) = TestApp::seeded().await;
    (t, admin_of(Arc::new(app), "almaty").await)
}

fn first_code(body: &Value) -> String {
    codes(body)
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no error: {body}"))
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    let mut conn = t.raw().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_published_show_is_listed_publicly_with_the_seats_left() {
    let (t, a) = seeded_admin().await;
    let created = a
        .ok(CREATE, json!({ "i": a.input("ICE_SHOW", "Winter Tale") }))
        .await;
    assert_eq!(created["status"], "DRAFT");
    assert_eq!(created["holdMinutes"], 20);
    assert_eq!(created["startsAtLocal"], "2027-03-28T18:00:00+05:00");
    let event = created["id"].as_str().expect("id").to_owned();
    // Without a ticket type there is nothing to sell.
    let body = a.ask(PUBLISH, json!({ "id": event })).await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");

    let stalls = a.ticket(&event, "Stalls", 500_000, 100).await;
    a.ticket(&event, "Balcony", 250_000, 50).await;
    // Past Int's 32 bits: money is its own scalar.
    let vip = a
        .ok(ADD_TICKET, json!({ "e": event, "i": { "name": "Patron", "priceTiyn": 5_000_000_000_i64, "quota": 2 } }))
        .await;
    assert_eq!(vip["priceTiyn"], 5_000_000_000_i64);
    a.ok(
        ADD_PARTNER,
        json!({ "e": event, "i": { "name": "EcoAlmaty", "website": "https://eco.kz" } }),
    )
    .await;
    let first = a.number(&event, "Rivers").await;
    a.number(&event, "Mountains").await;
    let participant = participant_ids(&t, "almaty", 2).await;
    let set = a
        .ok(PERFORMERS, json!({ "p": first, "who": participant }))
        .await;
    assert_eq!(set["performers"].as_array().map(Vec::len), Some(2), "{set}");

    let public = a.app.graphql(PUBLIC, json!({ "c": "almaty" })).await.1;
    assert!(
        !public.to_string().contains(&event),
        "a draft is not public: {public}"
    );
    let body = a
        .app
        .graphql(PUBLIC_ONE, json!({ "c": "almaty", "id": event }))
        .await
        .1;
    assert_eq!(body["data"]["publicEvent"], Value::Null, "{body}");

    let published = a.ok(PUBLISH, json!({ "id": event })).await;
    assert_eq!(published["status"], "PUBLISHED");
    // Seats held: one order expired but not yet swept (its seats are
    // free again), one still held.
    hold(&t, &stalls, 3, "now() - interval '1 minute'").await;
    hold(&t, &stalls, 4, "now() + interval '10 minutes'").await;

    let public = a.app.graphql(PUBLIC, json!({ "c": "almaty" })).await.1;
    // The demo's own show is listed too; this test's is the one with its id.
    let e = public["data"]["publicEvents"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["id"] == event.as_str()))
        .unwrap_or_else(|| panic!("{public}"));
    assert_eq!(e["title"], "Winter Tale");
    assert_eq!(e["startsAtLocal"], "2027-03-28T18:00:00+05:00");
    assert_eq!(e["partners"][0]["name"], "EcoAlmaty");
    assert_eq!(e["performances"][0]["performerCount"], 2, "{public}");
    assert_eq!(e["performances"][1]["performerCount"], 0);
    let seats: Vec<(String, i64)> = e["ticketTypes"]
        .as_array()
        .expect("ticket types")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("name").to_owned(),
                t["remaining"].as_i64().expect("n"),
            )
        })
        .collect();
    let expected = [("Balcony", 50), ("Stalls", 96), ("Patron", 2)];
    assert_eq!(seats, expected.map(|(n, r)| (n.to_owned(), r)).to_vec());
    // The public shape has no names of performers at all.
    let body = a
        .app
        .graphql(
            "query($c: String!) { publicEvents(city: $c) { performances { performers { lastName } } } }",
            json!({ "c": "almaty" }),
        )
        .await
        .1;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    // Other cities list nothing of almaty's.
    let other = a.app.graphql(PUBLIC, json!({ "c": "astana" })).await.1;
    assert!(!other.to_string().contains(&event), "{other}");

    // The quota cannot drop below the seats taken (7 held).
    let body = a.ask(QUOTA, json!({ "id": stalls, "q": 6 })).await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");
    let q = a.ok(QUOTA, json!({ "id": stalls, "q": 7 })).await;
    assert_eq!(q["remaining"], 3, "{q}");

    let done = a.ok(DONE, json!({ "id": event })).await;
    assert_eq!(done["status"], "DONE");
    let body = a.ask(PUBLISH, json!({ "id": event })).await;
    assert_eq!(first_code(&body), "CONFLICT", "done is final: {body}");
    let body = a
        .ask(UPDATE, json!({ "id": event, "i": { "title": "Later" } }))
        .await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");
}

/// The first `n` participant ids of a city.
pub(crate) async fn participant_ids(t: &TestDb, slug: &str, n: i64) -> Vec<String> {
    let mut conn = t.raw().await;
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select p.id from participants p join cities c on c.id = p.city_id where c.slug = $1 order by p.id limit $2",
    )
    .bind(slug)
    .bind(n)
    .fetch_all(&mut conn)
    .await
    .expect("participants");
    ids.iter().map(ToString::to_string).collect()
}

/// A held order of `quantity` seats of a ticket type, expiring at `expires`
/// (SQL), with the seats counted in the type's first seat bucket, as the
/// ticketing code would count them in some bucket.
async fn hold(t: &TestDb, ticket_type: &str, quantity: i32, expires: &str) {
    let mut conn = t.raw().await;
    let tt: uuid::Uuid = ticket_type.parse().expect("uuid");
    let order = uuid::Uuid::now_v7();
    let sql = format!(
        "with tt as (select city_id, event_id from ticket_types where id = $1), \
         o as (insert into ticket_orders (city_id, id, event_id, buyer_name, buyer_email, total_tiyn, expires_at) \
               select city_id, $2, event_id, 'Buyer', 'buyer@mail.kz', 0, {expires} from tt returning city_id), \
         l as (insert into ticket_order_lines (city_id, order_id, ticket_type_id, quantity, unit_price_tiyn) \
               select city_id, $2, $1, $3, 0 from o returning 1) \
         update ticket_seat_buckets set taken = taken + $3 where ticket_type_id = $1 and bucket = 0"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tt)
        .bind(order)
        .bind(quantity)
        .execute(&mut conn)
        .await
        .expect("hold");
}

#[tokio::test]
async fn roles_decide_who_prepares_and_who_reads_events() {
    let (_t, a) = seeded_admin().await;
    let event = a.event("ICE_SHOW", "Spring Show").await;
    let coach = a.app.login("coach@almaty.soi.test").await;
    let student = a.app.login("student@almaty.soi.test").await;
    let national = a.app.login("national@soi.test").await;
    let create = json!({ "i": a.input("ICE_SHOW", "Coach's show") });

    let body = a
        .app
        .graphql_as(Some(&coach), CREATE, create.clone())
        .await
        .1;
    assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
    let body = a
        .app
        .graphql_as(Some(&coach), EVENT, json!({ "id": event }))
        .await
        .1;
    assert_eq!(
        body["data"]["event"]["title"], "Spring Show",
        "coaches read: {body}"
    );
    for token in [&student, &national] {
        let body = a
            .app
            .graphql_as(Some(token), EVENT, json!({ "id": event }))
            .await
            .1;
        assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
        let body = a
            .app
            .graphql_as(Some(token), "{ events { id } }", json!({}))
            .await
            .1;
        assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
        let body = a
            .app
            .graphql_as(Some(token), CREATE, create.clone())
            .await
            .1;
        assert_eq!(first_code(&body), "FORBIDDEN", "{body}");
    }
    let body = a.app.graphql(CREATE, create).await.1;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");
    // Judges' marks are the admins' alone, even for coaches.
    a.number(&event, "Opening").await;
    let body = a
        .app
        .graphql_as(
            Some(&coach),
            "{ events { performances { marks { score } } } }",
            json!({}),
        )
        .await
        .1;
    let refused = codes(&body);
    assert!(
        !refused.is_empty() && refused.iter().all(|c| c == "FORBIDDEN"),
        "{body}"
    );
    let listed = a.ask("{ events { id title } }", json!({})).await;
    assert!(listed.to_string().contains(&event), "{listed}");
}

#[tokio::test]
async fn bad_input_is_refused_with_typed_errors_and_nothing_stored() {
    let (t, a) = seeded_admin().await;
    let event = a.event("ICE_SHOW", "Gala").await;
    let astana = admin_of(a.app.clone(), "astana").await;

    let mut cases: Vec<(Value, &str, &str)> = Vec::new();
    let input = |f: &dyn Fn(&mut Value)| {
        let mut i = a.input("ICE_SHOW", "Gala 2");
        f(&mut i);
        json!({ "i": i })
    };
    cases.push((
        input(&|i| i["title"] = json!("   ")),
        "BAD_USER_INPUT",
        "title",
    ));
    cases.push((
        input(&|i| i["socialTheme"] = json!("")),
        "BAD_USER_INPUT",
        "socialTheme",
    ));
    cases.push((
        input(&|i| i["holdMinutes"] = json!(0)),
        "BAD_USER_INPUT",
        "holdMinutes",
    ));
    cases.push((
        input(&|i| i["startsAt"] = json!("2029-01-01T10:00:00Z")),
        "BAD_USER_INPUT",
        "startsAt",
    ));
    cases.push((
        input(&|i| i["startsAt"] = json!("2026-09-01T10:00:00Z")),
        "BAD_USER_INPUT",
        "startsAt",
    ));
    cases.push((
        input(&|i| i["rinkId"] = json!(uuid::Uuid::now_v7().to_string())),
        "NOT_FOUND",
        "",
    ));
    cases.push((
        input(&|i| i["rinkId"] = json!(astana.rink)),
        "NOT_FOUND",
        "",
    ));
    cases.push((
        input(&|i| i["seasonId"] = json!(astana.season)),
        "NOT_FOUND",
        "",
    ));
    cases.push((
        input(&|i| i["causeId"] = json!(uuid::Uuid::now_v7().to_string())),
        "NOT_FOUND",
        "",
    ));
    cases.push((
        input(&|i| i["seasonId"] = json!("not-an-id")),
        "BAD_USER_INPUT",
        "seasonId",
    ));
    for (vars, code, field) in cases {
        let (status, body) = a.app.graphql_as(Some(&a.token), CREATE, vars.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(first_code(&body), code, "{vars}: {body}");
        if !field.is_empty() {
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
    }
    // The demo's own events are older than this test's.
    let since = format!(
        "select count(*) from events where created_at >= \
         (select created_at from events where id = '{event}')"
    );
    assert_eq!(count(&t, &since).await, 1);

    let tickets = [
        (json!({ "name": "", "priceTiyn": 100, "quota": 10 }), "name"),
        (
            json!({ "name": "A", "priceTiyn": -1, "quota": 10 }),
            "priceTiyn",
        ),
        (
            json!({ "name": "A", "priceTiyn": 100_000_000_001_i64, "quota": 10 }),
            "priceTiyn",
        ),
        (
            json!({ "name": "A", "priceTiyn": 100, "quota": 0 }),
            "quota",
        ),
        (
            json!({ "name": "A", "priceTiyn": 100, "quota": -5 }),
            "quota",
        ),
        (
            json!({ "name": "A", "priceTiyn": 100, "quota": 100_001 }),
            "quota",
        ),
    ];
    for (i, field) in tickets {
        let body = a.ask(ADD_TICKET, json!({ "e": event, "i": i })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{i}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Past i64, fractions and strings fail validation, never the server.
    let raw = |price: &str| {
        format!(
            "mutation {{ addTicketType(eventId: \"{event}\", input: {{ name: \"A\", priceTiyn: {price}, quota: 1 }}) {{ id }} }}"
        )
    };
    for price in ["9223372036854775808", "1.5", "\"100\""] {
        let (status, body) = a
            .app
            .graphql_as(Some(&a.token), &raw(price), json!({}))
            .await;
        assert_ne!(status, 500, "{body}");
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{price}: {body}");
    }
    for price in [
        json!(9_223_372_036_854_775_808_u64),
        json!(2.5),
        json!(1e30),
    ] {
        let vars = json!({ "e": event, "i": { "name": "A", "priceTiyn": price, "quota": 1 } });
        let (status, body) = a.app.graphql_as(Some(&a.token), ADD_TICKET, vars).await;
        assert_ne!(status, 500, "{body}");
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{price}: {body}");
    }
    a.ticket(&event, "Stalls", 0, 10).await;
    let body = a
        .ask(
            ADD_TICKET,
            json!({ "e": event, "i": { "name": "Stalls", "priceTiyn": 1, "quota": 1 } }),
        )
        .await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ticket type")),
        "{body}"
    );
    let of_event = |table: &str| format!("select count(*) from {table} where event_id = '{event}'");
    assert_eq!(count(&t, &of_event("ticket_types")).await, 1);

    let body = a
        .ask(
            ADD_PARTNER,
            json!({ "e": event, "i": { "name": "X", "website": "ftp://x" } }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let body = a
        .ask(
            ADD_NUMBER,
            json!({ "e": event, "i": { "title": "", "socialIssue": "x" } }),
        )
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    let number = a.number(&event, "Solo").await;
    let body = a
        .ask(
            PERFORMERS,
            json!({ "p": number, "who": [uuid::Uuid::now_v7().to_string()] }),
        )
        .await;
    assert_eq!(first_code(&body), "NOT_FOUND", "{body}");
    // A participant of another city is unknown here too.
    let foreign = participant_ids(&t, "astana", 1).await;
    let body = a
        .ask(PERFORMERS, json!({ "p": number, "who": foreign }))
        .await;
    assert_eq!(first_code(&body), "NOT_FOUND", "{body}");
    let performers = format!(
        "select count(*) from performers f join performances p \
         on p.city_id = f.city_id and p.id = f.performance_id where p.event_id = '{event}'"
    );
    assert_eq!(count(&t, &performers).await, 0);
    assert_eq!(count(&t, &of_event("event_partners")).await, 0);
}

#[tokio::test]
async fn numbers_are_reordered_and_removed_without_gaps() {
    let (_t, a) = seeded_admin().await;
    let event = a.event("ICE_SHOW", "Order").await;
    let (n1, n2, n3) = (
        a.number(&event, "One").await,
        a.number(&event, "Two").await,
        a.number(&event, "Three").await,
    );
    let order = a
        .ok(REORDER, json!({ "e": event, "p": [n3, n1, n2] }))
        .await;
    let ids: Vec<&str> = order
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [n3.as_str(), n1.as_str(), n2.as_str()]);
    for bad in [
        json!([n1, n2]),
        json!([n1, n2, n2]),
        json!([n1, n2, n3, uuid::Uuid::now_v7().to_string()]),
    ] {
        let body = a.ask(REORDER, json!({ "e": event, "p": bad })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
    }
    a.ok(REMOVE_NUMBER, json!({ "id": n1 })).await;
    let e = a.read(&event).await;
    let left: Vec<(i64, &str)> = e["performances"]
        .as_array()
        .expect("performances")
        .iter()
        .map(|p| {
            (
                p["runningOrder"].as_i64().expect("order"),
                p["title"].as_str().expect("title"),
            )
        })
        .collect();
    assert_eq!(left, [(1, "Three"), (2, "Two")]);
    let next = a.number(&event, "Four").await;
    let e = a.read(&event).await;
    assert_eq!(e["performances"][2]["id"], next.as_str());
    assert_eq!(e["performances"][2]["runningOrder"], 3);
}

#[tokio::test]
async fn judges_marks_give_averages_and_placements() {
    let (_t, a) = seeded_admin().await;
    let show = a.event("ICE_SHOW", "Not judged").await;
    let show_number = a.number(&show, "Free").await;
    let cup = a.event("COMPETITION", "City Cup").await;
    let (x, y, z) = (
        a.number(&cup, "X").await,
        a.number(&cup, "Y").await,
        a.number(&cup, "Z").await,
    );
    let body = a
        .ask(MARK, json!({ "p": x, "j": "Judge A", "s": 7.5 }))
        .await;
    assert_eq!(
        first_code(&body),
        "CONFLICT",
        "a draft is not under way: {body}"
    );
    a.ticket(&cup, "Entry", 0, 100).await;
    a.ok(PUBLISH, json!({ "id": cup })).await;
    a.ticket(&show, "Entry", 0, 100).await;
    a.ok(PUBLISH, json!({ "id": show })).await;
    let body = a
        .ask(MARK, json!({ "p": show_number, "j": "Judge A", "s": 7.5 }))
        .await;
    assert_eq!(
        first_code(&body),
        "CONFLICT",
        "an ice show is not judged: {body}"
    );

    for (p, scores) in [
        (&x, [7.5, 8.0, 8.5]),
        (&y, [9.0, 9.5, 9.25]),
        (&z, [8.0, 8.0, 8.0]),
    ] {
        for (judge, s) in ["A", "B", "C"].iter().zip(scores) {
            a.ok(MARK, json!({ "p": p, "j": judge, "s": s })).await;
        }
    }
    // A judge's second score replaces the first: x averages 8.0 like z.
    let m = a.ok(MARK, json!({ "p": x, "j": "C", "s": 8.5 })).await;
    assert_eq!(m["score"], 8.5);
    for bad in [10.5, -0.5, 8.555] {
        let body = a.ask(MARK, json!({ "p": x, "j": "A", "s": bad })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{bad}: {body}");
    }
    let body = a.ask(MARK, json!({ "p": x, "j": " ", "s": 5 })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");

    let e = a.read(&cup).await;
    let results: Vec<(String, f64, i64, i64)> = e["performances"]
        .as_array()
        .expect("performances")
        .iter()
        .map(|p| {
            let r = &p["result"];
            (
                p["title"].as_str().expect("title").to_owned(),
                r["averageScore"].as_f64().expect("average"),
                r["judges"].as_i64().expect("judges"),
                r["place"].as_i64().expect("place"),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("X".to_owned(), 8.0, 3, 2),
            ("Y".to_owned(), 9.25, 3, 1),
            ("Z".to_owned(), 8.0, 3, 2)
        ]
    );
    let public = a.app.graphql(PUBLIC, json!({ "c": "almaty" })).await.1;
    let listed = public["data"]["publicEvents"].as_array().expect("list");
    let cup_public = listed
        .iter()
        .find(|e| e["id"] == cup.as_str())
        .expect("cup listed");
    assert_eq!(
        cup_public["performances"][1]["result"]["place"], 1,
        "{public}"
    );

    a.ok(DONE, json!({ "id": cup })).await;
    let body = a.ask(MARK, json!({ "p": x, "j": "A", "s": 10 })).await;
    assert_eq!(first_code(&body), "CONFLICT", "results are final: {body}");
    let body = a
        .app
        .graphql(PUBLIC_ONE, json!({ "c": "almaty", "id": cup }))
        .await
        .1;
    assert_eq!(body["data"]["publicEvent"]["status"], "DONE", "{body}");
}

#[tokio::test]
async fn another_citys_event_is_not_found_and_stays_unchanged() {
    let (t, a) = seeded_admin().await;
    let event = a.event("COMPETITION", "Almaty Open").await;
    let ticket = a.ticket(&event, "Stalls", 100_000, 10).await;
    let number = a.number(&event, "Opening").await;
    let astana = admin_of(a.app.clone(), "astana").await;
    let attempts = [
        (UPDATE, json!({ "id": event, "i": { "title": "Hijacked" } })),
        (PUBLISH, json!({ "id": event })),
        (DONE, json!({ "id": event })),
        (
            ADD_TICKET,
            json!({ "e": event, "i": { "name": "Free", "priceTiyn": 0, "quota": 5 } }),
        ),
        (QUOTA, json!({ "id": ticket, "q": 1 })),
        (ADD_PARTNER, json!({ "e": event, "i": { "name": "Other" } })),
        (
            ADD_NUMBER,
            json!({ "e": event, "i": { "title": "Other", "socialIssue": "x" } }),
        ),
        (REORDER, json!({ "e": event, "p": [number] })),
        (REMOVE_NUMBER, json!({ "id": number })),
        (PERFORMERS, json!({ "p": number, "who": [] })),
        (MARK, json!({ "p": number, "j": "A", "s": 5 })),
    ];
    for (query, vars) in attempts {
        let body = astana.ask(query, vars).await;
        assert_eq!(first_code(&body), "NOT_FOUND", "{query}: {body}");
    }
    let body = astana.ask(EVENT, json!({ "id": event })).await;
    assert_eq!(body["data"]["event"], Value::Null, "{body}");
    let listed = astana.ask("{ events { id } }", json!({})).await;
    assert!(!listed.to_string().contains(&event), "{listed}");
    let body = a
        .app
        .graphql(PUBLIC_ONE, json!({ "c": "astana", "id": event }))
        .await
        .1;
    assert_eq!(body["data"]["publicEvent"], Value::Null, "{body}");

    let e = a.read(&event).await;
    assert_eq!(e["title"], "Almaty Open");
    assert_eq!(e["status"], "DRAFT");
    assert_eq!(e["ticketTypes"][0]["quota"], 10);
    assert_eq!(e["ticketTypes"].as_array().map(Vec::len), Some(1));
    assert_eq!(e["performances"].as_array().map(Vec::len), Some(1));
    assert_eq!(e["partners"], json!([]));
    let marks = format!(
        "select count(*) from judge_marks m join performances p \
         on p.city_id = m.city_id and p.id = m.performance_id where p.event_id = '{event}'"
    );
    assert_eq!(count(&t, &marks).await, 0);
}
