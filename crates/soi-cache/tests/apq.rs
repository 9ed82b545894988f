#![allow(clippy::unwrap_used)]

mod common;

use soi_cache::{ApqError, sha256_hex};

const QUERY: &str = "query Me { me { id name } }";

#[tokio::test]
async fn unknown_hash_is_not_found() {
    let (redis, _cleanup) = common::connect().await;
    let unknown = sha256_hex(&uuid::Uuid::new_v4().to_string());
    assert_eq!(redis.apq().get(&unknown).await, Ok(None));
}

#[tokio::test]
async fn put_with_a_wrong_hash_is_a_mismatch_and_stores_nothing() {
    let (redis, cleanup) = common::connect().await;
    let wrong = sha256_hex("query Other { x }");
    assert_eq!(
        redis.apq().put(&wrong, QUERY).await,
        Err(ApqError::HashMismatch)
    );
    assert_eq!(redis.apq().get(&wrong).await, Ok(None));
    assert!(common::keys_under(&cleanup.prefix).is_empty());
}

#[tokio::test]
async fn put_then_get_serves_the_query_with_a_ttl() {
    let (redis, cleanup) = common::connect().await;
    let hash = sha256_hex(QUERY);
    redis.apq().put(&hash, QUERY).await.unwrap();
    assert_eq!(redis.apq().get(&hash).await, Ok(Some(QUERY.to_owned())));
    let ttl = common::pttl(&format!("{}:{{apq}}:{hash}", cleanup.prefix));
    assert!(
        ttl > 23 * 3600 * 1000 && ttl <= 24 * 3600 * 1000,
        "ttl {ttl}"
    );
}

#[tokio::test]
async fn malformed_hash_is_rejected() {
    let (redis, _cleanup) = common::connect().await;
    let upper = sha256_hex(QUERY).to_uppercase();
    assert_eq!(redis.apq().put(&upper, QUERY).await, Err(ApqError::BadHash));
    assert_eq!(redis.apq().put("abc", QUERY).await, Err(ApqError::BadHash));
    assert_eq!(redis.apq().get("../../etc").await, Ok(None));
}

#[tokio::test]
async fn oversized_query_is_refused() {
    let (redis, _cleanup) = common::connect().await;
    let huge = format!("query {{ {} }}", "a ".repeat(40_000));
    assert_eq!(
        redis.apq().put(&sha256_hex(&huge), &huge).await,
        Err(ApqError::TooLarge)
    );
}

#[tokio::test]
async fn the_store_takes_no_new_hash_past_its_maximum_and_forgets_with_the_ttl() {
    let (_redis, cleanup) = common::connect().await;
    let opts = soi_cache::CacheOptions {
        prefix: cleanup.prefix.clone(),
        apq: soi_cache::ApqOptions {
            max_entries: 2,
            ttl: std::time::Duration::from_millis(300),
            ..soi_cache::ApqOptions::default()
        },
        ..soi_cache::CacheOptions::default()
    };
    let redis = soi_cache::Redis::new(&common::redis_url(), opts).unwrap();
    common::wait_until(std::time::Duration::from_secs(5), || redis.is_up()).await;
    let queries: Vec<String> = (0..3)
        .map(|n| format!("query Q{n} {{ me {{ id }} }}"))
        .collect();
    for q in &queries[..2] {
        redis.apq().put(&sha256_hex(q), q).await.unwrap();
    }
    let third = &queries[2];
    assert_eq!(
        redis.apq().put(&sha256_hex(third), third).await,
        Err(ApqError::Full)
    );
    assert_eq!(redis.apq().get(&sha256_hex(third)).await, Ok(None));
    // A hash already held is registered again.
    redis
        .apq()
        .put(&sha256_hex(&queries[0]), &queries[0])
        .await
        .unwrap();
    assert_eq!(redis.apq().count().await, Ok(2));
    // Past the TTL the old hashes no longer count.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    redis.apq().put(&sha256_hex(third), third).await.unwrap();
    assert_eq!(redis.apq().count().await, Ok(1));
}
