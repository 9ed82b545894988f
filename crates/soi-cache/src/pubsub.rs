//! Live updates over Redis pub/sub.
//! Rule: a [`Channel`] is built from a scope, so a subscriber built from the user's city can
//! only hear that city. Delivery is at most once: messages published while a subscriber is
//! reconnecting, or while its consumer lags behind [`BUFFER`] messages, are dropped, so
//! payloads are hints ("event X changed") and clients refetch the data itself.

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;

use crate::keys::segment;
use crate::{Redis, Scope};

/// Messages buffered per subscriber before new ones are dropped.
const BUFFER: usize = 256;
/// First delay before reconnecting a lost subscription; doubles up to `retry_after_down`.
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// How often an idle subscription PINGs, to notice a half-open connection.
const HEARTBEAT: Duration = Duration::from_secs(15);

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

    /// Messages of `channel`, on a dedicated connection that resubscribes by itself after
    /// Redis goes away. Dropping the stream ends the subscription and closes the connection.
    pub fn subscribe(&self, channel: &Channel) -> impl Stream<Item = String> + Send + 'static {
        let (tx, rx) = mpsc::channel(BUFFER);
        let inner = &self.redis.inner;
        let task = Subscriber {
            client: inner.client.clone(),
            name: self.redis.full(&channel.name),
            connect_timeout: inner.opts.connect_timeout,
            max_backoff: inner.opts.retry_after_down.max(MIN_BACKOFF),
            tx,
        };
        inner.runtime.spawn(task.run());
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|message| (message, rx))
        })
    }
}

/// The task behind one subscription.
struct Subscriber {
    client: redis::Client,
    name: String,
    connect_timeout: Duration,
    max_backoff: Duration,
    tx: mpsc::Sender<String>,
}

/// How a subscription session ended.
enum Ended {
    /// The stream was dropped: stop for good.
    ConsumerGone,
    /// The connection failed or was lost: reconnect.
    Lost,
}

impl Subscriber {
    async fn run(self) {
        let mut backoff = MIN_BACKOFF;
        loop {
            match self.session(&mut backoff).await {
                Ended::ConsumerGone => return,
                Ended::Lost => {
                    tracing::debug!(channel = %self.name, "subscription lost, reconnecting")
                }
            }
            tokio::select! {
                () = self.tx.closed() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(self.max_backoff);
        }
    }

    async fn session(&self, backoff: &mut Duration) -> Ended {
        let limit = self.connect_timeout;
        let Ok(Ok(pubsub)) = tokio::time::timeout(limit, self.client.get_async_pubsub()).await
        else {
            return Ended::Lost;
        };
        let (mut sink, mut stream) = pubsub.split();
        let Ok(Ok(())) = tokio::time::timeout(limit, sink.subscribe(&self.name)).await else {
            return Ended::Lost;
        };
        *backoff = MIN_BACKOFF;
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
        loop {
            tokio::select! {
                () = self.tx.closed() => return Ended::ConsumerGone,
                message = stream.next() => {
                    let Some(message) = message else {
                        return Ended::Lost;
                    };
                    let Ok(payload) = message.get_payload::<String>() else {
                        tracing::warn!(channel = %self.name, "non-text pub/sub payload dropped");
                        continue;
                    };
                    match self.tx.try_send(payload) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            tracing::warn!(channel = %self.name, "slow subscriber, message dropped");
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => return Ended::ConsumerGone,
                    }
                }
                _ = heartbeat.tick() => {
                    let ping = sink.ping::<redis::Value>();
                    if !matches!(tokio::time::timeout(limit, ping).await, Ok(Ok(_))) {
                        return Ended::Lost;
                    }
                }
            }
        }
    }
}
