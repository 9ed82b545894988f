//! The process's one subscriber connection, shared by every subscription.
//! Rule: the hub owns the connection and the map channel → subscribers; subscribers talk to
//! it only through [`Command`]s, so no lock is held across an await. It connects while it
//! has something to subscribe to, resubscribes every channel after a loss (then sends each
//! subscriber [`RESYNC`]), unsubscribes a channel when its last subscriber is gone and ends
//! when the last handle and subscription are dropped.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::PubSubSink;
use tokio::sync::mpsc;

use crate::pubsub::RESYNC;

/// First delay before reconnecting; doubles up to `retry_after_down`.
const MIN_BACKOFF: Duration = Duration::from_millis(100);
/// How often the connection PINGs, to notice a half-open connection.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// What subscribers ask of the hub.
pub(crate) enum Command {
    /// Deliver the messages of channel `name` (prefixed) to `tx`.
    Subscribe {
        name: String,
        tx: mpsc::Sender<String>,
    },
    /// A subscription of `name` was dropped: forget closed subscribers, and the channel when
    /// none is left.
    Prune(String),
}

/// Starts a hub on `runtime`; it runs until every sender of commands is dropped.
pub(crate) fn start(
    runtime: &tokio::runtime::Handle,
    client: redis::Client,
    connect_timeout: Duration,
    max_backoff: Duration,
) -> mpsc::UnboundedSender<Command> {
    let (commands, rx) = mpsc::unbounded_channel();
    let hub = Hub {
        client,
        connect_timeout,
        max_backoff: max_backoff.max(MIN_BACKOFF),
        commands: rx,
        subs: HashMap::new(),
        resync_due: false,
    };
    runtime.spawn(hub.run());
    commands
}

struct Hub {
    client: redis::Client,
    connect_timeout: Duration,
    max_backoff: Duration,
    commands: mpsc::UnboundedReceiver<Command>,
    subs: HashMap<String, Vec<mpsc::Sender<String>>>,
    /// A connection was lost (or never made) while someone listened: they
    /// may have missed messages, so the next session tells them to re-read.
    resync_due: bool,
}

/// How a connected session ended.
enum Ended {
    /// No handle or subscription is left: stop for good.
    Closed,
    /// The connection failed or was lost: reconnect after a backoff.
    Lost,
    /// The last subscriber left: close the connection until the next one.
    Idle,
}

impl Hub {
    async fn run(mut self) {
        let mut backoff = MIN_BACKOFF;
        loop {
            // Offline, a change only updates the map: the next session subscribes to it all.
            while self.subs.is_empty() {
                // Nobody listens, so nobody missed anything.
                self.resync_due = false;
                match self.commands.recv().await {
                    Some(command) => {
                        self.apply(command);
                    }
                    None => return,
                }
            }
            match self.session(&mut backoff).await {
                Ended::Closed => return,
                Ended::Idle => continue,
                Ended::Lost => {
                    self.resync_due = true;
                    tracing::debug!("pub/sub connection lost, reconnecting");
                }
            }
            // Subscriptions keep arriving and leaving while we wait.
            let until = tokio::time::Instant::now() + backoff;
            loop {
                tokio::select! {
                    command = self.commands.recv() => match command {
                        Some(command) => {
                            self.apply(command);
                        }
                        None => return,
                    },
                    () = tokio::time::sleep_until(until) => break,
                }
            }
            backoff = (backoff * 2).min(self.max_backoff);
        }
    }

    /// Updates the map; returns the channel to subscribe to (new) or to leave (emptied).
    fn apply(&mut self, command: Command) -> Option<Change> {
        match command {
            Command::Subscribe { name, tx } => {
                let list = self.subs.entry(name.clone()).or_default();
                list.push(tx);
                (list.len() == 1).then_some(Change::Join(name))
            }
            Command::Prune(name) => self.prune(&name).then_some(Change::Leave(name)),
        }
    }

    /// Drops the closed subscribers of `name`; true when the channel was emptied.
    fn prune(&mut self, name: &str) -> bool {
        let Some(list) = self.subs.get_mut(name) else {
            return false;
        };
        list.retain(|tx| !tx.is_closed());
        if list.is_empty() {
            self.subs.remove(name);
            return true;
        }
        false
    }

    async fn session(&mut self, backoff: &mut Duration) -> Ended {
        let limit = self.connect_timeout;
        let Ok(Ok(pubsub)) = tokio::time::timeout(limit, self.client.get_async_pubsub()).await
        else {
            return Ended::Lost;
        };
        let (mut sink, mut stream) = pubsub.split();
        let names: Vec<String> = self.subs.keys().cloned().collect();
        for name in &names {
            if !within(limit, sink.subscribe(name)).await {
                return Ended::Lost;
            }
        }
        *backoff = MIN_BACKOFF;
        // Not after an idle close: nobody was listening then.
        if std::mem::take(&mut self.resync_due) {
            self.broadcast(RESYNC);
        }
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
        loop {
            tokio::select! {
                command = self.commands.recv() => {
                    let Some(command) = command else {
                        return Ended::Closed;
                    };
                    if let Some(change) = self.apply(command)
                        && !change.run(&mut sink, limit).await
                    {
                        return Ended::Lost;
                    }
                    if self.subs.is_empty() {
                        return Ended::Idle;
                    }
                }
                message = stream.next() => {
                    let Some(message) = message else {
                        return Ended::Lost;
                    };
                    if let Some(emptied) = self.deliver(&message)
                        && !Change::Leave(emptied).run(&mut sink, limit).await
                    {
                        return Ended::Lost;
                    }
                    if self.subs.is_empty() {
                        return Ended::Idle;
                    }
                }
                _ = heartbeat.tick() => {
                    if !within(limit, sink.ping::<redis::Value>()).await {
                        return Ended::Lost;
                    }
                }
            }
        }
    }

    /// Hands a message to its channel's subscribers; returns the channel if it emptied.
    fn deliver(&mut self, message: &redis::Msg) -> Option<String> {
        let name = message.get_channel_name();
        let Ok(payload) = message.get_payload::<String>() else {
            tracing::warn!(channel = %name, "non-text pub/sub payload dropped");
            return None;
        };
        let list = self.subs.get(name)?;
        let mut closed = false;
        for tx in list {
            match tx.try_send(payload.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(channel = %name, "slow subscriber, message dropped");
                }
                Err(mpsc::error::TrySendError::Closed(_)) => closed = true,
            }
        }
        let name = name.to_owned();
        (closed && self.prune(&name)).then_some(name)
    }

    /// Tells every subscriber to read again.
    fn broadcast(&self, payload: &str) {
        for tx in self.subs.values().flatten() {
            let _ = tx.try_send(payload.to_owned());
        }
    }
}

/// A subscription change the connection must follow.
enum Change {
    Join(String),
    Leave(String),
}

impl Change {
    /// Applies the change; false when the connection failed.
    async fn run(self, sink: &mut PubSubSink, limit: Duration) -> bool {
        match self {
            Self::Join(name) => within(limit, sink.subscribe(&name)).await,
            Self::Leave(name) => within(limit, sink.unsubscribe(&name)).await,
        }
    }
}

/// Whether a Redis call succeeded within `limit`.
async fn within<T>(
    limit: Duration,
    call: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> bool {
    matches!(tokio::time::timeout(limit, call).await, Ok(Ok(_)))
}
