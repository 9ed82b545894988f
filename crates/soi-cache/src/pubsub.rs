//! Live updates over Redis pub/sub.
//! Rule: a [`Channel`] is built from a scope, so a subscriber built from the user's city can
//! only hear that city. Delivery is at most once: messages published while the connection is
//! down, or while a consumer lags behind [`BUFFER`] messages, are dropped, so payloads are
//! hints ("event X changed") and clients refetch the data itself. After the connection comes
//! back every subscriber receives [`RESYNC`]: something may have been missed, read again.
//!
//! All subscriptions of a process share one Redis connection (the [`hub`](crate::hub)): a
//! gateway with thousands of subscribers holds one subscriber connection, not thousands.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;

use crate::hub::Command;
use crate::keys::segment;
use crate::{Redis, Scope};

/// Messages buffered per subscriber before new ones are dropped.
const BUFFER: usize = 256;

/// What every subscriber receives when the shared connection is back after a loss.
pub const RESYNC: &str = "resync";

/// A pub/sub channel, `{<scope>}:live:<topic>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Channel {
    name: String,
}

impl Channel {
    /// Builds the channel of `topic` in `scope`; build the scope from the user's context.
    pub fn new(scope: Scope, topic: &str) -> Self {
        Self {
            name: format!("{}:live:{}", scope.tag(), segment(topic)),
        }
    }

    /// The channel name without the deployment prefix, for logs and tests.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// Publish and subscribe.
#[derive(Clone)]
pub struct PubSub {
    redis: Redis,
}

impl PubSub {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// Publishes `payload`; failures are counted and swallowed (live updates are best effort).
    pub async fn publish(&self, channel: &Channel, payload: &str) {
        let name = self.redis.full(&channel.name);
        let payload = payload.to_owned();
        let _ = self
            .redis
            .run(|mut conn| async move {
                redis::cmd("PUBLISH")
                    .arg(name)
                    .arg(payload)
                    .exec_async(&mut conn)
                    .await
            })
            .await;
    }

    /// Messages of `channel`, through the process's shared subscriber connection, which
    /// resubscribes by itself after Redis goes away. Dropping the stream ends the
    /// subscription (and the channel's, when it was the last one).
    pub fn subscribe(&self, channel: &Channel) -> impl Stream<Item = String> + Send + 'static {
        let (tx, rx) = mpsc::channel(BUFFER);
        let name = self.redis.full(&channel.name);
        let hub = self.redis.hub();
        // A hub that is gone (its runtime shut down) leaves a stream that ends at once.
        let _ = hub.send(Command::Subscribe {
            name: name.clone(),
            tx,
        });
        Subscription { rx, name, hub }
    }
}

/// One subscriber's stream; tells the hub when it is dropped.
struct Subscription {
    rx: mpsc::Receiver<String>,
    name: String,
    hub: mpsc::UnboundedSender<Command>,
}

impl Stream for Subscription {
    type Item = String;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Closed first, so the hub sees this sender as gone when it prunes.
        self.rx.close();
        let _ = self
            .hub
            .send(Command::Prune(std::mem::take(&mut self.name)));
    }
}
