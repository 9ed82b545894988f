//! Redis keys carry the identity of the database they were cached from: a
//! second database behind the same `SOI_REDIS_PREFIX` (or the same one
//! dropped and created again) starts with an empty cache instead of reading
//! the first one's city ids and reports.

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb};

const SEASONS: &str = "{ openSeasons(city: \"almaty\") { id title } }";

async fn apply(app: &TestApp, client: &str, season: &Value, email: &str) -> Value {
    app.graphql_from(
        client,
        "mutation($s: ID!, $e: String!) { applyToSeason(city: \"almaty\", seasonId: $s, input: {
           firstName: \"Dana\", lastName: \"Omar\", email: $e, preferredLanguage: KK,
           consentGiven: true, consentTextVersion: \"2026-09\" }) { applicationId } }",
        json!({ "s": season, "e": email }),
    )
    .await
    .1
}

#[tokio::test]
async fn a_second_database_behind_the_same_prefix_never_reads_the_firsts_cache() {
    let (first, app_first) = TestApp::seeded().await;
    let second = TestDb::new().await;
    second.seed_demo(1).await;
    let redis_url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let app_second = TestApp::spawn_with(&second, &redis_url, |s| {
        if let Some(redis) = &mut s.redis {
            redis.prefix = first.name.clone();
        }
    })
    .await;

    // The first gateway caches Almaty's id for its slug as someone applies.
    let (_, seasons) = app_first.graphql(SEASONS, json!({})).await;
    let season = seasons["data"]["openSeasons"][0]["id"].clone();
    let applied = apply(&app_first, "10.9.9.8", &season, "dana.first@kaznu.kz").await;
    assert!(applied["errors"].is_null(), "{applied}");

    // The second database's Almaty is another city (another id, the same
    // seeded seasons): with the first one's id for the slug, its season
    // would not be found in it. With its own namespace, it is.
    let (_, seasons) = app_second.graphql(SEASONS, json!({})).await;
    let season = seasons["data"]["openSeasons"][0]["id"].clone();
    let applied = apply(&app_second, "10.9.9.9", &season, "dana.second@kaznu.kz").await;
    assert!(applied["errors"].is_null(), "{applied}");

    // Two databases, two identities, and each gateway's keys under its own.
    let (a, b) = (
        first.db().await.identity().await.expect("identity"),
        second.db().await.identity().await.expect("identity"),
    );
    assert_ne!(a, b);
    assert_eq!(a.len(), 16);
    for ns in [&a, &b] {
        let keys = soi_cache::count_prefixed(&redis_url, &format!("{}:{ns}", first.name))
            .await
            .expect("keys");
        assert!(keys > 0, "no keys under the namespace {ns}");
    }
}
