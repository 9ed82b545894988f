//! Redis goes away and comes back: requests must stay fast, limits must hold, and everything
//! must recover by itself. Runs its own `redis-server` child on a free port.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use soi_cache::{Bucket, CacheOptions, Channel, Key, Redis, Scope};
use uuid::Uuid;

const OP_TIMEOUT: Duration = Duration::from_millis(100);

/// A `redis-server` child, killed when dropped (also when the test panics).
struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self { child };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        // Kills this child by its PID only; `wait` reaps it so the port is free again.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_falls_back_fast_and_recovers_by_itself() {
    let whole_test = tokio::time::timeout(Duration::from_secs(60), scenario());
    whole_test.await.expect("outage test took over 60 s");
}

async fn scenario() {
    let port = free_port();
    let server = Server::start(port);
    let opts = CacheOptions {
        prefix: format!("soitest-{}", Uuid::new_v4()),
        op_timeout: OP_TIMEOUT,
        retry_after_down: Duration::from_millis(500),
        ..CacheOptions::default()
    };
    let redis = Redis::new(&format!("redis://127.0.0.1:{port}"), opts).unwrap();
    common::wait_until(Duration::from_secs(5), || redis.is_up()).await;

    let city = Scope::City(Uuid::new_v4());
    let cache = redis.cache();
    let key = Key::new(city, "report", "coach", &["k"]);
    cache.put_json(&key, &7_u32, Duration::from_secs(60)).await;
    assert_eq!(cache.get_json::<u32>(&key).await, Some(7));

    // A subscriber made before the outage, proven live now.
    let channel = Channel::new(city, "attendance");
    let mut subscriber = Box::pin(redis.pubsub().subscribe(&channel));
    receive_while_publishing(&redis, &channel, "before", &mut subscriber).await;

    // Outage.
    server.stop();
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(cache.get_json::<u32>(&key).await, None);
        let took = start.elapsed();
        assert!(
            took < OP_TIMEOUT * 2,
            "cache read took {took:?} while Redis is down"
        );
    }
    common::wait_until(Duration::from_secs(3), || !redis.is_up()).await;
    assert!(!redis.stats().up);
    assert_eq!(cache.scoped_key(city, "report", "coach", &[]).await, None);

    let bucket = Bucket::new(city, "login", "dave@example.kz");
    let window = Duration::from_secs(60);
    for attempt in 1..=10 {
        let start = Instant::now();
        let allowed = redis.limiter().check(&bucket, 10, window).await;
        assert!(allowed.is_ok(), "attempt {attempt} refused during outage");
        assert!(start.elapsed() < OP_TIMEOUT * 2);
    }
    let limited = redis
        .limiter()
        .check(&bucket, 10, window)
        .await
        .unwrap_err();
    assert!(limited.retry_after > Duration::ZERO && limited.retry_after <= window);
    assert!(redis.stats().rate_limit_fallbacks >= 11);

    // Invalidation during the outage is remembered and replayed.
    assert!(cache.invalidate(city).await.is_err());

    // Recovery on the same port: nothing to do for the caller.
    let _server = Server::start(port);
    common::wait_until(Duration::from_secs(5), || redis.is_up()).await;
    cache.put_json(&key, &8_u32, Duration::from_secs(60)).await;
    assert_eq!(cache.get_json::<u32>(&key).await, Some(8));
    assert!(
        cache
            .scoped_key(city, "report", "coach", &[])
            .await
            .is_some()
    );
    assert!(
        cache.generation(city).await >= Some(1),
        "pending invalidation replayed"
    );

    // The shared subscriber connection is back: it tells its subscribers to read again,
    // since anything published meanwhile was lost.
    // (A late copy of "before" may still be queued ahead of it.)
    let resync = async {
        loop {
            match subscriber.next().await.as_deref() {
                Some("before") => continue,
                other => return other.map(str::to_owned),
            }
        }
    };
    let resync = tokio::time::timeout(Duration::from_secs(10), resync)
        .await
        .expect("no resync within 10 s");
    assert_eq!(resync.as_deref(), Some(soi_cache::RESYNC));
    let got = receive_while_publishing(&redis, &channel, "after", &mut subscriber).await;
    assert_eq!(got, "after");
}

/// Publishes every 100 ms until the subscriber yields; messages of the subscription made
/// before the outage may arrive in between, so it waits for `payload` itself.
async fn receive_while_publishing(
    redis: &Redis,
    channel: &Channel,
    payload: &str,
    subscriber: &mut (impl futures_util::Stream<Item = String> + Unpin),
) -> String {
    let attempt = async {
        loop {
            redis.pubsub().publish(channel, payload).await;
            if let Ok(Some(got)) =
                tokio::time::timeout(Duration::from_millis(100), subscriber.next()).await
                && got == payload
            {
                return got;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .expect("subscriber received nothing within 10 s")
}
