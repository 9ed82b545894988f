//! The gateway inside the bench process, built by `soi_server::App::build`
//! as `soi serve` builds it (without the hold sweeper and the mail worker,
//! which would add load of their own), on 127.0.0.1:0.

use anyhow::Result;
use soi_db::DbConfig;
use soi_server::{App, RedisSettings, Settings};
use std::net::SocketAddr;
use std::time::Duration;

pub(crate) struct Gateway {
    pub(crate) addr: SocketAddr,
    redis: Option<soi_cache::Redis>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<()>>,
}

/// The settings of a bench gateway: its pool, the token key and lifetime.
pub(crate) fn settings(db: DbConfig, jwt_secret: &str, access_ttl_secs: u64) -> Settings {
    let mut s = Settings::new(db, jwt_secret.to_owned().into());
    s.auth.access_ttl_secs = access_ttl_secs;
    s
}

/// Redis under a key prefix of the bench's own.
pub(crate) fn redis(url: &str, prefix: &str) -> RedisSettings {
    RedisSettings {
        url: url.to_owned().into(),
        prefix: prefix.to_owned(),
        connect_wait: Duration::from_secs(5),
    }
}

impl Gateway {
    pub(crate) async fn start(settings: Settings) -> Result<Self> {
        let app = App::build(settings).await?;
        let addr = app.local_addr();
        let redis = app.redis().cloned();
        let (stop, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            redis,
            stop,
            task,
        })
    }

    /// The gateway's Redis layer (its counters), if it has one.
    pub(crate) fn redis(&self) -> Option<&soi_cache::Redis> {
        self.redis.as_ref()
    }

    /// Finishes requests in flight; the gateway closes its pool.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
    }
}
