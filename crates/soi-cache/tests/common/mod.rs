//! Helpers shared by the integration tests: a real Redis, a unique prefix per test, and a
//! guard that deletes the test's keys even when the test fails.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use soi_cache::{CacheOptions, Redis};

/// The Redis the tests run against.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A handle on a unique prefix, connected, plus the guard that cleans the prefix up.
pub async fn connect() -> (Redis, Cleanup) {
    let prefix = format!("soitest-{}", uuid::Uuid::new_v4());
    let redis = handle(&prefix).await;
    (redis, Cleanup { prefix })
}

/// Another handle on the same prefix (a second replica of the gateway).
pub async fn handle(prefix: &str) -> Redis {
    let opts = CacheOptions {
        prefix: prefix.to_owned(),
        ..CacheOptions::default()
    };
    let redis = Redis::new(&redis_url(), opts).unwrap();
    wait_until(Duration::from_secs(5), || redis.is_up()).await;
    redis
}

/// Polls `cond` every 20 ms; panics if it stays false for `limit`.
pub async fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Redis keys under `prefix`, read directly.
pub fn keys_under(prefix: &str) -> Vec<String> {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let mut keys = Vec::new();
    let mut cursor = 0_u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(1000)
            .query(&mut conn)
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            return keys;
        }
        cursor = next;
    }
}

/// PTTL of a key, read directly.
pub fn pttl(key: &str) -> i64 {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    redis::cmd("PTTL").arg(key).query(&mut conn).unwrap()
}

/// Deletes every key of the test's prefix when dropped, whether the test passed or not.
pub struct Cleanup {
    pub prefix: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_secs(2)) else {
            return;
        };
        for key in keys_under(&self.prefix) {
            let _: Result<(), _> = redis::cmd("DEL").arg(key).query(&mut conn);
        }
    }
}

/// Number of subscribers of a channel, read directly.
pub fn numsub(channel: &str) -> u64 {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let (_, count): (String, u64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query(&mut conn)
        .unwrap();
    count
}
