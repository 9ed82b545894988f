#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use soi_cache::{CacheOptions, Error, Key, Redis, Scope};
use uuid::Uuid;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Report {
    city: String,
    total: u32,
}

#[test]
fn key_carries_scope_hash_tag_kind_and_role() {
    let city = Uuid::new_v4();
    let key = Key::new(Scope::City(city), "report", "coach", &["2026", "11"]);
    let name = key.as_str();
    let prefix = format!("{{city:{city}}}:report:coach:");
    assert!(name.starts_with(&prefix), "{name}");
    let hash = &name[prefix.len()..];
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(key.scope(), Scope::City(city));

    let national = Key::new(Scope::National, "report", "admin", &["2026"]);
    assert!(national.as_str().starts_with("{national}:report:admin:"));
}

#[test]
fn two_cities_and_two_roles_never_share_a_key() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let parts = ["same", "parts"];
    let in_a = Key::new(Scope::City(a), "report", "coach", &parts);
    let in_b = Key::new(Scope::City(b), "report", "coach", &parts);
    let national = Key::new(Scope::National, "report", "coach", &parts);
    let as_admin = Key::new(Scope::City(a), "report", "admin", &parts);
    assert_ne!(in_a, in_b);
    assert_ne!(in_a, national);
    assert_ne!(in_a, as_admin);
    // Same hash part, different cluster hash tag: the cities cannot collide.
    assert_eq!(&in_a.as_str()[58..], &in_b.as_str()[58..]);
    // A role cannot smuggle a separator or a hash tag into the key.
    let sneaky = Key::new(Scope::City(a), "report", "coach:{national}", &parts);
    assert!(!sneaky.as_str().contains("{national}"));
}

#[tokio::test]
async fn get_returns_what_put_stored_and_none_on_a_miss() {
    let (redis, cleanup) = common::connect().await;
    let cache = redis.cache();
    let key = Key::new(Scope::City(Uuid::new_v4()), "report", "coach", &["x"]);
    assert_eq!(cache.get_json::<Report>(&key).await, None);

    let report = Report {
        city: "Almaty".to_owned(),
        total: 42,
    };
    cache.put_json(&key, &report, Duration::from_secs(60)).await;
    assert_eq!(cache.get_json::<Report>(&key).await, Some(report));

    let stored = format!("{}:{}", cleanup.prefix, key.as_str());
    let ttl = common::pttl(&stored);
    assert!(ttl > 0 && ttl <= 60_000, "ttl {ttl}");

    // A value of another shape reads as a miss, not an error to the caller.
    assert_eq!(cache.get_json::<Vec<u8>>(&key).await, None);
    let stats = redis.stats();
    assert_eq!((stats.hits, stats.misses, stats.errors), (1, 1, 1));
    assert!(stats.up);
}

#[tokio::test]
async fn a_versioned_entry_is_read_only_at_its_version() {
    let (redis, _cleanup) = common::connect().await;
    let cache = redis.cache();
    let key = Key::new(Scope::National, "report", "national", &["versioned"]);
    let at = |v: i64| async move { Ok::<i64, String>(v) };
    assert_eq!(cache.get_at(&key, at(7)).await, Ok((7, None)));
    let report = Report {
        city: "Astana".to_owned(),
        total: 5,
    };
    cache
        .put_json_at(&key, 7, &report, Duration::from_secs(60))
        .await;
    // At its version it is found; a newer (or older) version reads as a miss.
    assert_eq!(
        cache.get_json_at::<Report, _>(&key, at(7)).await,
        Ok((7, Some(report)))
    );
    assert_eq!(cache.get_at(&key, at(8)).await, Ok((8, None)));
    assert_eq!(cache.get_at(&key, at(6)).await, Ok((6, None)));
    // The newer version's entry replaces the older one under the same key.
    cache
        .put_at(&key, 8, b"eight", Duration::from_secs(60))
        .await;
    assert_eq!(
        cache.get_at(&key, at(8)).await,
        Ok((8, Some(b"eight".to_vec())))
    );
    assert_eq!(cache.get_at(&key, at(7)).await, Ok((7, None)));
    // A version that cannot be read is the caller's error, whatever Redis holds.
    let failed = async { Err::<i64, String>("down".to_owned()) };
    assert_eq!(cache.get_at(&key, failed).await, Err("down".to_owned()));
    let stats = redis.stats();
    assert_eq!((stats.hits, stats.misses, stats.errors), (2, 4, 0));
}

#[tokio::test]
async fn invalidate_changes_the_next_scoped_key_and_the_national_generation() {
    let (redis, _cleanup) = common::connect().await;
    let cache = redis.cache();
    let city = Scope::City(Uuid::new_v4());
    let other = Scope::City(Uuid::new_v4());

    let before = cache
        .scoped_key(city, "event", "coach", &["e1"])
        .await
        .unwrap();
    assert_eq!(
        cache.scoped_key(city, "event", "coach", &["e1"]).await,
        Some(before.clone())
    );
    cache
        .put_json(&before, &1_u32, Duration::from_secs(60))
        .await;
    assert_eq!(cache.get_json::<u32>(&before).await, Some(1));

    let national_before = cache.generation(Scope::National).await.unwrap();
    let other_before = cache.generation(other).await.unwrap();
    cache.invalidate(city).await.unwrap();

    let after = cache
        .scoped_key(city, "event", "coach", &["e1"])
        .await
        .unwrap();
    assert_ne!(before, after);
    assert_eq!(
        cache.get_json::<u32>(&after).await,
        None,
        "old entry unreachable"
    );
    assert_eq!(cache.generation(city).await, Some(1));
    assert_eq!(
        cache.generation(Scope::National).await,
        Some(national_before + 1)
    );
    assert_eq!(cache.generation(other).await, Some(other_before));
}

#[tokio::test]
async fn bad_url_or_prefix_is_refused_at_construction() {
    let bad_url = Redis::new("not a url", CacheOptions::default());
    assert!(matches!(bad_url, Err(Error::InvalidUrl(_))));
    let opts = CacheOptions {
        prefix: "soi:{x}".to_owned(),
        ..CacheOptions::default()
    };
    let bad_prefix = Redis::new(&common::redis_url(), opts);
    assert!(matches!(bad_prefix, Err(Error::InvalidPrefix(_))));
}

#[test]
fn construction_outside_a_runtime_is_an_error_not_a_panic() {
    let outside = Redis::new(&common::redis_url(), CacheOptions::default());
    assert!(matches!(outside, Err(Error::NoRuntime)));
}

#[tokio::test]
async fn ops_are_fast_unavailable_until_connected() {
    // Nothing listens on port 1: the handle is built anyway and every op falls back at once.
    let redis = Redis::new("redis://127.0.0.1:1", CacheOptions::default()).unwrap();
    let key = Key::new(Scope::National, "report", "admin", &[]);
    let start = std::time::Instant::now();
    assert_eq!(redis.cache().get_json::<u32>(&key).await, None);
    assert_eq!(
        redis
            .cache()
            .scoped_key(Scope::National, "r", "a", &[])
            .await,
        None
    );
    assert!(start.elapsed() < Duration::from_millis(50));
    assert!(!redis.is_up());
}
