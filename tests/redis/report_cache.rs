//! The report cache in Redis: identical queries of two cities never share
//! an answer, every write that changes a figure is seen by the next read
//! (the key carries the rollup version), and a repeated read is a cache hit.

use serde_json::{Value, json};
use soi_tests::TestApp;

const CITY: &str = "query { cityReport(from: \"2021-01\", to: \"2030-12\") { city { slug } totals { applicants accepted sponsorMoney } nationalMedian { applicants } } }";
const NATIONAL: &str = "query { nationalReport(from: \"2021-01\", to: \"2030-12\") { totals { applicants sponsorMoney } } }";

#[tokio::test]
async fn two_cities_asking_the_same_never_share_a_cached_answer() {
    let (_t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    // One more application in Astana, so the two cities' figures differ.
    let season = app.ok(
        &astana,
        "mutation { createSeason(input: { title: \"Extra\", socialTheme: \"Clean air\", startsOn: \"2027-10-01\",
           endsOn: \"2028-03-31\", capacity: 10, autoAccept: false }) { id } }",
        json!({}),
    )
    .await["createSeason"]["id"]
        .clone();
    let (_, applied) = app
        .graphql_from(
            "10.8.8.8",
            "mutation($s: ID!) { applyToSeason(city: \"astana\", seasonId: $s, input: { firstName: \"Aru\", lastName: \"Sapar\",
               email: \"aru.cache@enu.kz\", preferredLanguage: RU, consentGiven: true, consentTextVersion: \"2026-09\" }) { applicationId } }",
            json!({ "s": season }),
        )
        .await;
    let hits = app.metric("soi_cache_hits_total").await;
    for round in 0..3 {
        let a = app.ok(&almaty, CITY, json!({})).await;
        let b = app.ok(&astana, CITY, json!({})).await;
        assert_eq!(a["cityReport"]["city"]["slug"], "almaty", "round {round}");
        assert_eq!(b["cityReport"]["city"]["slug"], "astana", "round {round}");
        assert_ne!(
            a["cityReport"]["totals"], b["cityReport"]["totals"],
            "{applied}"
        );
    }
    // The second and third rounds came from the cache.
    assert!(app.metric("soi_cache_hits_total").await >= hits + 4);
}

#[tokio::test]
async fn every_write_that_changes_a_figure_is_read_back_at_once() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    let figures = |d: &Value| {
        (
            d["cityReport"]["totals"]["applicants"]
                .as_i64()
                .expect("applicants"),
            d["cityReport"]["totals"]["accepted"]
                .as_i64()
                .expect("accepted"),
            d["cityReport"]["totals"]["sponsorMoney"]
                .as_i64()
                .expect("money"),
        )
    };
    let nation = |d: &Value| {
        d["nationalReport"]["totals"]["applicants"]
            .as_i64()
            .expect("n")
    };
    let before = figures(&app.ok(&admin, CITY, json!({})).await);
    let nation_before = nation(&app.ok(&national, NATIONAL, json!({})).await);
    // Cached now; a public application must still show on the next read.
    app.ok(&admin, CITY, json!({})).await;
    let season = app.ok(
        &admin,
        "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }",
        json!({ "i": { "title": "Cache season", "socialTheme": "Clean air", "startsOn": "2027-10-01",
                       "endsOn": "2028-03-31", "capacity": 10, "autoAccept": false } }),
    )
    .await["createSeason"]["id"]
        .clone();
    let (_, applied) = app
        .graphql_from(
            "10.9.9.9",
            "mutation($s: ID!, $i: ApplicationInput!) { applyToSeason(city: \"almaty\", seasonId: $s, input: $i) { applicationId } }",
            json!({ "s": season, "i": { "firstName": "Dana", "lastName": "Nurlan", "email": "dana.cache@kaznu.kz",
                     "preferredLanguage": "EN", "consentGiven": true, "consentTextVersion": "2026-09" } }),
        )
        .await;
    let application = applied["data"]["applyToSeason"]["applicationId"].clone();
    assert!(application.is_string(), "{applied}");
    let after_apply = figures(&app.ok(&admin, CITY, json!({})).await);
    assert_eq!(after_apply.0, before.0 + 1);
    assert_eq!(
        nation(&app.ok(&national, NATIONAL, json!({})).await),
        nation_before + 1
    );
    app.ok(
        &admin,
        "mutation($id: ID!) { decideApplication(id: $id, decision: ACCEPT) { status } }",
        json!({ "id": application }),
    )
    .await;
    let after_decision = figures(&app.ok(&admin, CITY, json!({})).await);
    assert_eq!(after_decision.1, before.1 + 1);
    let sponsor = app.ok(
        &admin,
        "mutation { createSponsor(input: { kind: ORGANIZATION, name: \"Cache Fund\" }) { id } }",
        json!({}),
    )
    .await["createSponsor"]["id"]
        .clone();
    let pledge = app.ok(
        &admin,
        "mutation($s: ID!) { pledgeContribution(input: { sponsorId: $s, form: MONEY, amount: 123456, purpose: \"ice\", pledgedOn: \"2026-11-01\" }) { id } }",
        json!({ "s": sponsor }),
    )
    .await["pledgeContribution"]["id"]
        .clone();
    app.ok(
        &admin,
        "mutation($id: ID!) { receiveContribution(id: $id, receivedOn: \"2026-11-02\") { balance } }",
        json!({ "id": pledge }),
    )
    .await;
    let after_money = figures(&app.ok(&admin, CITY, json!({})).await);
    assert_eq!(after_money.2, before.2 + 123_456);
}

#[tokio::test]
async fn public_event_pages_are_cached_per_city_and_show_a_reservation_at_once() {
    let (t, app) = TestApp::seeded().await;
    let s = soi_tests::shows::show(&t, "almaty", 20, &[("Parterre", 500_000, 40)], false).await;
    let page = "query($c: String!, $e: ID!) { publicEvent(city: $c, id: $e) { title ticketTypes { remaining } } }";
    let remaining =
        |body: &Value| body["data"]["publicEvent"]["ticketTypes"][0]["remaining"].as_i64();
    let hits = app.metric("soi_cache_hits_total").await;
    for _ in 0..3 {
        let (_, body) = app
            .graphql(page, json!({ "c": "almaty", "e": s.event }))
            .await;
        assert_eq!(remaining(&body), Some(40), "{body}");
    }
    assert!(app.metric("soi_cache_hits_total").await >= hits + 2);
    // The same event id asked of another city: not there, cached or not.
    for _ in 0..2 {
        let (_, body) = app
            .graphql(page, json!({ "c": "astana", "e": s.event }))
            .await;
        assert!(body["data"]["publicEvent"].is_null(), "{body}");
    }
    let (_, body) = app
        .graphql_from(
            "10.3.3.3",
            "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId } }",
            json!({ "c": "almaty", "i": { "eventId": s.event, "buyerName": "Buyer", "buyerEmail": "b@mail.kz",
                     "language": "RU", "items": [{ "ticketTypeId": s.types[0], "quantity": 4 }] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (_, body) = app
        .graphql(page, json!({ "c": "almaty", "e": s.event }))
        .await;
    assert_eq!(remaining(&body), Some(36), "{body}");
}

#[tokio::test]
async fn metrics_count_operations_and_show_cache_outbox_and_pool() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    app.ok(&admin, CITY, json!({})).await;
    let (_, bad) = app.graphql_as(Some(&admin), NATIONAL, json!({})).await;
    assert!(!bad["errors"].is_null());
    // Relayed by a proxy (someone else's request): refused, without a figure.
    let relayed = app
        .http
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .expect("metrics");
    assert_eq!(relayed.status(), 403);
    assert!(!relayed.text().await.expect("body").contains("soi_"));
    let text = app.metrics_text().await;
    let line = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    assert!(
        line("soi_graphql_requests_total{operation=\"cityReport\",outcome=\"ok\"} "),
        "{text}"
    );
    assert!(
        line("soi_graphql_requests_total{operation=\"nationalReport\""),
        "{text}"
    );
    assert!(text.contains("outcome=\"error\""), "{text}");
    assert!(
        line("soi_graphql_request_duration_seconds_bucket{operation=\"login\",le=\"+Inf\"} "),
        "{text}"
    );
    assert!(line("soi_outbox_messages{status=\"pending\"} "), "{text}");
    assert!(line("soi_db_pool_connections{state=\"idle\"} "), "{text}");
    assert!(line("soi_redis_up 1"), "{text}");
    // No label holds an email or a name.
    assert!(!text.contains('@'), "{text}");
}

#[tokio::test]
async fn the_national_answer_is_kept_whole_per_query_and_variables() {
    let (_t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let query = "query($f: YearMonth!, $t: YearMonth!) { nationalReport(from: $f, to: $t, groupBy: CITY) { from to totals { applicants } rows { city { slug } figures { applicants } } } }";
    let wide = json!({ "f": "2021-01", "t": "2030-12" });
    let narrow = json!({ "f": "2021-01", "t": "2021-02" });
    let first = app.ok(&national, query, wide.clone()).await;
    let hits = app.metric("soi_cache_hits_total").await;
    let again = app.ok(&national, query, wide.clone()).await;
    assert_eq!(again, first);
    // One lookup answered the whole request: the resolver did not run.
    assert_eq!(app.metric("soi_cache_hits_total").await, hits + 1);
    // Other variables are another answer, kept apart.
    for _ in 0..2 {
        let other = app.ok(&national, query, narrow.clone()).await;
        assert_eq!(other["nationalReport"]["to"], "2021-02", "{other}");
        assert_ne!(other, first);
    }
    assert_eq!(app.ok(&national, query, wide.clone()).await, first);
    // A batch answers each of its operations, kept or not.
    let batch = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&national)
        .json(&json!([
            { "query": query, "variables": wide },
            { "query": "{ nationalReport(from: \"2021-01\", to: \"2021-03\") { to } }" },
        ]))
        .send()
        .await
        .expect("batch")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(batch[0]["data"], first, "{batch}");
    assert_eq!(
        batch[1]["data"]["nationalReport"]["to"], "2021-03",
        "{batch}"
    );
    // An error is never kept: a bad period answers its error every time.
    for _ in 0..2 {
        let (_, body) = app
            .graphql_as(
                Some(&national),
                query,
                json!({ "f": "2027-01", "t": "2026-01" }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_median_a_city_compares_against_moves_with_any_citys_write() {
    const MEDIAN: &str = "query { cityReport(from: \"2021-01\", to: \"2030-12\") { totals { sponsorMoney } nationalMedian { sponsorMoney } citiesCompared } }";
    let (_t, app) = TestApp::seeded().await;
    let slugs = ["almaty", "astana", "shymkent"];
    let mut admins = Vec::new();
    for slug in slugs {
        admins.push(app.login(&format!("admin@{slug}.soi.test")).await);
    }
    // Every city's own money, and the median Almaty's admin is shown.
    let read = async || {
        let mut own = Vec::new();
        let mut shown = None;
        for (i, admin) in admins.iter().enumerate() {
            let d = app.ok(admin, MEDIAN, json!({})).await;
            assert_eq!(d["cityReport"]["citiesCompared"], 3, "{d}");
            own.push(
                d["cityReport"]["totals"]["sponsorMoney"]
                    .as_i64()
                    .expect("own"),
            );
            if i == 0 {
                shown = d["cityReport"]["nationalMedian"]["sponsorMoney"].as_i64();
            }
        }
        own.sort_unstable();
        (own[1], shown.expect("median shown"))
    };
    let (expected, shown) = read().await;
    assert_eq!(shown, expected);
    // Kept now (in Redis and in the gateway's memory); money arrives in the
    // two other cities, far more than any city had.
    for admin in &admins[1..] {
        let sponsor = app.ok(
            admin,
            "mutation { createSponsor(input: { kind: ORGANIZATION, name: \"Median Fund\" }) { id } }",
            json!({}),
        )
        .await["createSponsor"]["id"]
            .clone();
        let pledge = app.ok(
            admin,
            "mutation($s: ID!) { pledgeContribution(input: { sponsorId: $s, form: MONEY, amount: 900000000, purpose: \"ice\", pledgedOn: \"2026-11-01\" }) { id } }",
            json!({ "s": sponsor }),
        )
        .await["pledgeContribution"]["id"]
            .clone();
        app.ok(
            admin,
            "mutation($id: ID!) { receiveContribution(id: $id, receivedOn: \"2026-11-02\") { balance } }",
            json!({ "id": pledge }),
        )
        .await;
    }
    let (moved, shown) = read().await;
    assert!(moved > expected, "{moved} {expected}");
    assert_eq!(shown, moved, "Almaty's admin sees the new median at once");
}
