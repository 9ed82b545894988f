#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use soi_cache::{Channel, PubSub, Scope};
use uuid::Uuid;

/// Publishes `payload` every 50 ms (the subscription is established in the background) until
/// the subscriber yields something; returns what it yielded.
async fn publish_until_received(
    publisher: &PubSub,
    channel: &Channel,
    payload: &str,
    before_each: impl AsyncFn(),
    subscriber: &mut (impl Stream<Item = String> + Unpin),
) -> String {
    let attempt = async {
        loop {
            before_each().await;
            publisher.publish(channel, payload).await;
            if let Ok(Some(got)) =
                tokio::time::timeout(Duration::from_millis(50), subscriber.next()).await
            {
                return got;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .expect("nothing received within 10 s")
}

#[tokio::test]
async fn subscriber_receives_what_another_replica_publishes() {
    let (one, cleanup) = common::connect().await;
    let two = common::handle(&cleanup.prefix).await;
    let channel = Channel::new(Scope::City(Uuid::new_v4()), "attendance");
    let mut subscriber = Box::pin(one.pubsub().subscribe(&channel));
    let got = publish_until_received(
        &two.pubsub(),
        &channel,
        "event:1",
        async || {},
        &mut subscriber,
    )
    .await;
    assert_eq!(got, "event:1");
}

#[tokio::test]
async fn city_subscriber_never_hears_another_city() {
    let (redis, _cleanup) = common::connect().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let in_a = Channel::new(Scope::City(a), "attendance");
    let in_b = Channel::new(Scope::City(b), "attendance");
    assert_ne!(in_a, in_b);
    let mut subscriber_a = Box::pin(redis.pubsub().subscribe(&in_a));
    let pubsub = redis.pubsub();
    // City B is published to before every message of city A: A must only ever see its own.
    let got = publish_until_received(
        &pubsub,
        &in_a,
        "for-a",
        async || pubsub.publish(&in_b, "for-b").await,
        &mut subscriber_a,
    )
    .await;
    assert_eq!(got, "for-a");
    for _ in 0..5 {
        pubsub.publish(&in_b, "for-b").await;
    }
    pubsub.publish(&in_a, "for-a-last").await;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), subscriber_a.next())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(next, "for-b");
        if next == "for-a-last" {
            break;
        }
    }
}

#[tokio::test]
async fn dropping_the_stream_closes_the_subscription() {
    let (redis, cleanup) = common::connect().await;
    let channel = Channel::new(Scope::National, "news");
    let mut subscriber = Box::pin(redis.pubsub().subscribe(&channel));
    let pubsub = redis.pubsub();
    publish_until_received(&pubsub, &channel, "hi", async || {}, &mut subscriber).await;
    let full = format!("{}:{}", cleanup.prefix, channel.as_str());
    assert_eq!(common::numsub(&full), 1);
    drop(subscriber);
    common::wait_until(Duration::from_secs(5), || common::numsub(&full) == 0).await;
}

#[tokio::test]
async fn every_subscription_of_a_process_shares_one_connection() {
    let (redis, cleanup) = common::connect().await;
    let pubsub = redis.pubsub();
    let channels: Vec<Channel> = (0..4)
        .map(|_| Channel::new(Scope::City(Uuid::new_v4()), "changes"))
        .collect();
    // Ten subscribers on each of four channels.
    let mut subscribers: Vec<(usize, _)> = Vec::new();
    for (i, channel) in channels.iter().enumerate() {
        for _ in 0..10 {
            subscribers.push((i, Box::pin(pubsub.subscribe(channel))));
        }
    }
    for (i, channel) in channels.iter().enumerate() {
        let full = format!("{}:{}", cleanup.prefix, channel.as_str());
        common::wait_until(Duration::from_secs(5), || common::numsub(&full) >= 1).await;
        pubsub.publish(channel, &format!("to-{i}")).await;
    }
    // Every subscriber hears its own channel's message, and only that.
    for (i, subscriber) in &mut subscribers {
        let got = tokio::time::timeout(Duration::from_secs(5), subscriber.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, format!("to-{i}"));
    }
    // Ten subscribers, one subscribing client per channel: the shared connection.
    for channel in &channels {
        let full = format!("{}:{}", cleanup.prefix, channel.as_str());
        assert_eq!(common::numsub(&full), 1);
    }
    // The channel stays while one of its subscribers does, and goes with the last.
    let first = format!("{}:{}", cleanup.prefix, channels[0].as_str());
    let mut kept = Vec::new();
    for (i, s) in subscribers {
        if i == 0 {
            kept.push(s);
        }
    }
    let last = kept.pop().unwrap();
    drop(kept);
    pubsub.publish(&channels[0], "still").await;
    let mut last = last;
    let got = tokio::time::timeout(Duration::from_secs(5), last.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, "still");
    assert_eq!(common::numsub(&first), 1);
    drop(last);
    common::wait_until(Duration::from_secs(5), || common::numsub(&first) == 0).await;
}

#[tokio::test]
async fn a_connection_closed_for_lack_of_subscribers_asks_nobody_to_resync() {
    let (redis, cleanup) = common::connect().await;
    let pubsub = redis.pubsub();
    let channel = Channel::new(Scope::City(Uuid::new_v4()), "changes");
    let full = format!("{}:{}", cleanup.prefix, channel.as_str());
    let first = Box::pin(pubsub.subscribe(&channel));
    common::wait_until(Duration::from_secs(5), || common::numsub(&full) == 1).await;
    // The last subscriber leaves: the hub closes its connection (nothing was lost).
    drop(first);
    common::wait_until(Duration::from_secs(5), || common::numsub(&full) == 0).await;
    let mut second = Box::pin(pubsub.subscribe(&channel));
    common::wait_until(Duration::from_secs(5), || common::numsub(&full) == 1).await;
    pubsub.publish(&channel, "after").await;
    let got = tokio::time::timeout(Duration::from_secs(5), second.next())
        .await
        .unwrap()
        .unwrap();
    // The first thing heard is the message, not a resync.
    assert_eq!(got, "after");
}
