//! Per-city usage at `/metrics`: requests, database time and rows written
//! by city slug, so an operator sees which tenant is heavy. Two cities do
//! different amounts of work; the heavier shows more of each, and a city's
//! counters do not move while only another city works.

use serde_json::json;
use soi_tests::TestApp;

/// The value of `name{labels}` in Prometheus text; `None` when absent.
fn value(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Usage {
    mutations: f64,
    queries: f64,
    db_seconds: f64,
    statements: f64,
    rows_written: f64,
}

fn usage(text: &str, city: &str) -> Usage {
    let of = |name: &str, labels: &str| value(text, name, labels).unwrap_or(0.0);
    Usage {
        mutations: of(
            "soi_city_requests_total",
            &format!("city=\"{city}\",kind=\"mutation\""),
        ),
        queries: of(
            "soi_city_requests_total",
            &format!("city=\"{city}\",kind=\"query\""),
        ),
        db_seconds: of("soi_city_db_seconds_total", &format!("city=\"{city}\"")),
        statements: of("soi_city_db_statements_total", &format!("city=\"{city}\"")),
        rows_written: of("soi_city_rows_written_total", &format!("city=\"{city}\"")),
    }
}

const SEASON: &str = "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }";
const SEASONS: &str = "{ seasons(first: 5) { edges { node { id } } } }";

#[tokio::test]
async fn the_heavier_city_shows_more_requests_database_time_and_rows() {
    let (t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    // Each city once, so both have series; and a first scrape, which
    // counts every city's outbox (cached for 30 s after).
    app.ok(&almaty, SEASONS, json!({})).await;
    app.ok(&astana, SEASONS, json!({})).await;
    let _ = app.metrics_text().await;

    let before = app.metrics_text().await;
    for n in 0..8 {
        app.field(
            &almaty,
            SEASON,
            json!({ "i": { "title": format!("Heavy {n}"), "socialTheme": "Clean air",
                           "startsOn": "2027-10-01", "endsOn": "2028-03-31",
                           "capacity": 30, "autoAccept": false } }),
            "createSeason",
        )
        .await;
    }
    let between = app.metrics_text().await;
    // Astana did nothing meanwhile: its figures did not move at all.
    assert_eq!(
        usage(&between, "astana"),
        usage(&before, "astana"),
        "{between}"
    );
    let (a0, a1) = (usage(&before, "almaty"), usage(&between, "almaty"));
    assert_eq!(a1.mutations - a0.mutations, 8.0, "{between}");
    // Their latency is counted under the same slug, and no other series
    // labels a city by anything else.
    let timed = |text: &str| {
        value(
            text,
            "soi_graphql_city_request_duration_seconds_count",
            "city=\"almaty\"",
        )
        .unwrap_or(0.0)
    };
    assert_eq!(timed(&between) - timed(&before), 8.0, "{between}");
    let city = t.city("almaty").await.id;
    assert!(!between.contains(&city.as_uuid().to_string()), "{between}");
    assert!(a1.rows_written - a0.rows_written >= 8.0, "{a0:?} {a1:?}");
    assert!(a1.statements > a0.statements && a1.db_seconds > a0.db_seconds);

    app.ok(&astana, SEASONS, json!({})).await;
    let after = app.metrics_text().await;
    let (almaty_now, astana_now) = (usage(&after, "almaty"), usage(&after, "astana"));
    assert_eq!(astana_now.queries, 2.0, "{after}");
    assert_eq!(astana_now.mutations, 0.0, "{after}");
    assert!(almaty_now.mutations > astana_now.mutations);
    assert!(almaty_now.rows_written > astana_now.rows_written, "{after}");
    assert!(almaty_now.statements > astana_now.statements, "{after}");
    // Database time is a clock, not a count: which city's total is larger
    // depends on the machine (a query that waits for a new pooled
    // connection counts the wait). What holds is that each city's time
    // grows with its own work only: Astana's did not move while Almaty
    // worked (above), and moves with its own two queries.
    let astana_then = usage(&between, "astana");
    assert!(astana_now.db_seconds > astana_then.db_seconds, "{after}");
    // Labels are slugs: no city id, no address in any per-city series.
    for line in after.lines().filter(|l| l.starts_with("soi_city_")) {
        assert!(!line.contains('@'), "{line}");
        assert!(
            line.contains("city=\"almaty\"")
                || line.contains("city=\"astana\"")
                || line.contains("city=\"shymkent\"")
                || line.contains("city=\"public\""),
            "{line}"
        );
    }
}
