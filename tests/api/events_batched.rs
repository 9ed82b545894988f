//! The chapter's event list costs the same few tenant transactions however
//! many events it holds: the nested fields load in one batch per kind.

use crate::events::{
    ADD_PARTNER, ADD_TICKET, Admin, CREATE, PERFORMERS, participant_ids, seeded_admin,
};
use serde_json::{Value, json};
use soi_tests::TestApp;

const LIST: &str = "query($s: ID) { events(seasonId: $s) { id title rink { name } partners { name } performances { runningOrder title performers { lastName } result { place } } ticketTypes { name priceTiyn quota remaining } } }";

/// Tenant transactions the gateway has begun so far, from `/metrics`.
async fn tenant_transactions(app: &TestApp) -> u64 {
    app.metric("soi_db_tenant_transactions_total").await
}

/// Event `n` of `season`: two partners, two numbers and two ticket types,
/// the partners and tickets added out of their listed order.
async fn full_event(a: &Admin, season: &str, n: usize) -> String {
    let input = json!({ "seasonId": season, "kind": "ICE_SHOW", "title": format!("Show {n}"),
        "socialTheme": "Clean water for the city", "rinkId": a.rink,
        "startsAt": format!("2027-03-{:02}T13:00:00Z", 10 + n) });
    let event = a.ok(CREATE, json!({ "i": input })).await["id"]
        .as_str()
        .expect("event id")
        .to_owned();
    for name in [format!("Zeta {n}"), format!("Alpha {n}")] {
        a.ok(ADD_PARTNER, json!({ "e": event, "i": { "name": name } }))
            .await;
    }
    for (name, price) in [
        (format!("Stalls {n}"), 500_000),
        (format!("Balcony {n}"), 250_000),
    ] {
        a.ok(
            ADD_TICKET,
            json!({ "e": event, "i": { "name": name, "priceTiyn": price, "quota": 10 + n } }),
        )
        .await;
    }
    a.number(&event, &format!("First {n}")).await;
    a.number(&event, &format!("Second {n}")).await;
    event
}

/// The season's events and the tenant transactions the listing began.
async fn listed(a: &Admin, season: &str) -> (Vec<Value>, u64) {
    let before = tenant_transactions(&a.app).await;
    let body = a.ask(LIST, json!({ "s": season })).await;
    let after = tenant_transactions(&a.app).await;
    assert!(body["errors"].is_null(), "{body}");
    let events = body["data"]["events"].as_array().expect("events").clone();
    (events, after - before)
}

/// Each event's nested fields are its own, in the order a single read gives.
fn check(events: &[Value], rink: &str) {
    for (n, e) in events.iter().enumerate() {
        assert_eq!(e["title"], format!("Show {n}"), "time order: {e}");
        assert_eq!(e["rink"]["name"], rink, "{e}");
        assert_eq!(
            e["partners"],
            json!([{ "name": format!("Alpha {n}") }, { "name": format!("Zeta {n}") }])
        );
        let numbers: Vec<(i64, &str, usize)> = e["performances"]
            .as_array()
            .expect("performances")
            .iter()
            .map(|p| {
                assert_eq!(p["result"], Value::Null, "an ice show has no results");
                (
                    p["runningOrder"].as_i64().expect("order"),
                    p["title"].as_str().expect("title"),
                    p["performers"].as_array().map_or(0, Vec::len),
                )
            })
            .collect();
        let first = format!("First {n}");
        let second = format!("Second {n}");
        let skaters = if n == 0 { 2 } else { 0 };
        assert_eq!(
            numbers,
            [(1, first.as_str(), skaters), (2, second.as_str(), 0)]
        );
        let quota = 10 + n as i64;
        assert_eq!(
            e["ticketTypes"],
            json!([
                { "name": format!("Balcony {n}"), "priceTiyn": 250_000, "quota": quota, "remaining": quota },
                { "name": format!("Stalls {n}"), "priceTiyn": 500_000, "quota": quota, "remaining": quota },
            ])
        );
    }
}

#[tokio::test]
async fn listing_two_or_six_events_with_nested_fields_begins_the_same_few_transactions() {
    let (t, a) = seeded_admin().await;
    // A season of its own, so the list holds this test's events only.
    let season = a
        .ok(
            "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }",
            json!({ "i": { "title": "Batched season", "socialTheme": "Clean air",
                    "startsOn": "2027-03-01", "endsOn": "2027-04-30", "capacity": 10 } }),
        )
        .await["id"]
        .as_str()
        .expect("season id")
        .to_owned();
    let rinks = a.ask("{ rinks { id name } }", json!({})).await;
    let rink = rinks["data"]["rinks"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == a.rink.as_str()))
        .and_then(|r| r["name"].as_str())
        .unwrap_or_else(|| panic!("{rinks}"))
        .to_owned();
    let mut events = Vec::new();
    for n in 0..2 {
        events.push(full_event(&a, &season, n).await);
    }
    let first_number = a
        .ask(crate::events::EVENT, json!({ "id": events[0] }))
        .await["data"]["event"]["performances"][0]["id"]
        .as_str()
        .expect("number id")
        .to_owned();
    let skaters = participant_ids(&t, "almaty", 2).await;
    a.ok(PERFORMERS, json!({ "p": first_number, "who": skaters }))
        .await;

    let (two, cost_of_two) = listed(&a, &season).await;
    assert_eq!(two.len(), 2);
    check(&two, &rink);

    for n in 2..6 {
        events.push(full_event(&a, &season, n).await);
    }
    let (six, cost_of_six) = listed(&a, &season).await;
    assert_eq!(six.len(), 6);
    check(&six, &rink);

    assert_eq!(
        cost_of_two, cost_of_six,
        "tenant transactions of one listing grow with the events listed"
    );
    // One for the list, one per nested kind (rink, partners, numbers, tickets).
    assert!(cost_of_six <= 5, "{cost_of_six} tenant transactions");
}
