//! The hold sweeper: every so often, in each active city, expires the ticket
//! holds whose time is up and puts their seats back on sale. Reservations
//! also release lapsed holds of their event as they go, so the sweeper only
//! keeps the books tidy for quiet events. Every gateway process runs one;
//! they skip each other's locked rows, so running several is safe.

use soi_core::SystemCtx;
use soi_core::states::CityStatus;
use soi_db::{Db, cities};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often `soi serve` sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// Holds expired per transaction; a city with more takes several.
const BATCH: u32 = 500;

/// Expires the due holds of every active city; returns how many.
#[tracing::instrument(name = "hold_sweep", skip_all)]
pub async fn sweep_once(db: &Db) -> soi_db::Result<u64> {
    let mut national = db.national().await?;
    let list = cities::list(&mut national).await?;
    national.commit().await?;
    let ctx = SystemCtx::new("hold-sweeper");
    let mut total = 0;
    for city in list.iter().filter(|c| c.status == CityStatus::Active) {
        loop {
            let mut tx = db.tenant(&ctx.in_city(city.id)).await?;
            let n = soi_service::tickets::expire(&mut tx, BATCH).await?;
            tx.commit().await?;
            total += n;
            if n < u64::from(BATCH) {
                break;
            }
        }
    }
    Ok(total)
}

/// The sweeper running as a task until [`Sweeper::stop`].
pub struct Sweeper {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Sweeper {
    pub fn start(db: Db, every: Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => match sweep_once(&db).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(expired = n, "expired lapsed ticket holds"),
                        Err(e) => tracing::warn!(error = %e, "hold sweep failed; retrying next round"),
                    },
                    _ = stopped.changed() => break,
                }
            }
        });
        Self { stop, task }
    }

    /// Stops after the sweep in progress, if any.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "the hold sweeper ended abnormally");
        }
    }
}
