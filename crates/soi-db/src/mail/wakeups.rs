//! Wake-ups for mail workers: `LISTEN soi_outbox`, whose notifications carry
//! a city id only, or `national` (sent by a trigger when a message becomes due). LISTEN needs
//! a connection of its own, outside the pool's transactions.

use crate::DbConfig;
use crate::Result;
use crate::conn::{connect_error, describe, probe};
use soi_core::CityId;
use sqlx::Executor;
use sqlx::postgres::{PgListener, PgPoolOptions};

/// The notification channel the outbox trigger uses.
const CHANNEL: &str = "soi_outbox";

/// What woke the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wakeup {
    /// The city has a message due now.
    City(CityId),
    /// The national accounts' mailbox has a message due now.
    National,
    /// The connection was lost (and is re-opened on the next call):
    /// notifications may have been missed, so look at every city.
    Missed,
}

/// A stream of wake-ups.
pub struct Wakeups {
    listener: PgListener,
}

impl Wakeups {
    pub async fn connect(cfg: &DbConfig) -> Result<Self> {
        let options = cfg.runtime_options()?;
        let target = describe(&options);
        sqlx::Connection::close(probe(&options, &target, cfg.acquire_timeout).await?)
            .await
            .ok();
        // Like every runtime connection it acts as soi_app, though it only listens.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(cfg.acquire_timeout)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    let user: String = sqlx::query_scalar("select current_user::text")
                        .fetch_one(&mut *conn)
                        .await?;
                    if user != "soi_app" {
                        conn.execute("set role soi_app").await?;
                    }
                    Ok(())
                })
            })
            .connect_lazy_with(options);
        let mut listener = PgListener::connect_with(&pool)
            .await
            .map_err(|e| connect_error(&target, e))?;
        listener.listen(CHANNEL).await?;
        Ok(Self { listener })
    }

    /// Waits for the next wake-up. An error means the server is unreachable
    /// right now; calling again retries.
    pub async fn next(&mut self) -> Result<Wakeup> {
        Ok(match self.listener.try_recv().await? {
            None => Wakeup::Missed,
            Some(n) if n.payload() == "national" => Wakeup::National,
            Some(n) => n
                .payload()
                .parse::<uuid::Uuid>()
                .map_or(Wakeup::Missed, |id| Wakeup::City(CityId::from(id))),
        })
    }
}
