#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use soi_cache::{Bucket, Scope};
use uuid::Uuid;

#[tokio::test]
async fn eleventh_attempt_in_the_window_is_limited_and_other_subjects_are_not() {
    let (redis, _cleanup) = common::connect().await;
    let limiter = redis.limiter();
    let city = Scope::City(Uuid::new_v4());
    let window = Duration::from_secs(60);
    let alice = Bucket::new(city, "login", "alice@example.kz");
    for attempt in 1..=10 {
        assert!(
            limiter.check(&alice, 10, window).await.is_ok(),
            "attempt {attempt}"
        );
    }
    let limited = limiter.check(&alice, 10, window).await.unwrap_err();
    assert!(limited.retry_after > Duration::ZERO && limited.retry_after <= window);

    let bob = Bucket::new(city, "login", "bob@example.kz");
    assert!(limiter.check(&bob, 10, window).await.is_ok());
    let alice_elsewhere = Bucket::new(Scope::City(Uuid::new_v4()), "login", "alice@example.kz");
    assert!(limiter.check(&alice_elsewhere, 10, window).await.is_ok());
    assert_eq!(redis.stats().rate_limit_fallbacks, 0, "decided by Redis");
}

#[tokio::test]
async fn a_second_replica_shares_the_count() {
    let (one, cleanup) = common::connect().await;
    let two = common::handle(&cleanup.prefix).await;
    let bucket = Bucket::new(Scope::National, "signup", "10.0.0.1");
    let window = Duration::from_secs(60);
    for _ in 0..3 {
        one.limiter().check(&bucket, 5, window).await.unwrap();
    }
    for _ in 0..2 {
        two.limiter().check(&bucket, 5, window).await.unwrap();
    }
    assert!(one.limiter().check(&bucket, 5, window).await.is_err());
}

#[tokio::test]
async fn window_ends_and_the_subject_is_stored_hashed() {
    let (redis, cleanup) = common::connect().await;
    let bucket = Bucket::new(Scope::National, "reset", "carol@example.kz");
    let window = Duration::from_millis(300);
    redis.limiter().check(&bucket, 1, window).await.unwrap();
    assert!(redis.limiter().check(&bucket, 1, window).await.is_err());

    let keys = common::keys_under(&cleanup.prefix);
    assert_eq!(keys.len(), 1);
    assert!(!keys[0].contains("carol"), "{}", keys[0]);
    assert!(keys[0].contains(&soi_cache::sha256_hex("carol@example.kz")));

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(redis.limiter().check(&bucket, 1, window).await.is_ok());
}
