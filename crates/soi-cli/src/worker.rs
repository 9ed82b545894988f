//! The mail worker: `soi worker` runs it alone until SIGINT or SIGTERM;
//! `soi serve` runs it beside the gateway when `SOI_WORKER_IN_SERVE=true`.
//! Either way, stopping lets sends in flight finish and hands back the rest.

use crate::config::Config;
use anyhow::{Context, Result};
use soi_db::Db;
use soi_mail::Worker;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// `soi worker`.
pub async fn run(config: &Config) -> Result<()> {
    let db = Db::connect(&config.db).await?;
    let worker = Worker::new(db.clone(), config.db.clone(), config.mail.clone())?;
    println!("mail worker {} started", worker.id());
    worker
        .run(crate::serve::shutdown_signal())
        .await
        .context("mail worker failed")?;
    db.close().await;
    Ok(())
}

/// The worker as a task of `soi serve`.
pub struct MailTask {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MailTask {
    pub fn start(db: &Db, config: &Config) -> Result<Self> {
        let worker = Worker::new(db.clone(), config.db.clone(), config.mail.clone())?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let until = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            // Its end is reported whenever it comes, not only at shutdown.
            match worker.run(until).await {
                Ok(()) => tracing::info!("mail worker ended"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "mail worker failed"),
            }
        });
        Ok(Self { stop, task })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("mail worker panicked");
        }
    }
}
