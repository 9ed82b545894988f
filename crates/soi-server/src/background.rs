//! Work the gateway runs beside serving: the outbox worker as a task of
//! `soi serve` (`SOI_WORKER_IN_SERVE=true`). Stopping it lets sends in flight
//! finish and hands back the rest; its end is reported whenever it comes.

use soi_mail::Worker;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The mail worker as a task, until `also_until` resolves or [`MailTask::stop`].
pub struct MailTask {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MailTask {
    pub fn start(worker: Worker, also_until: impl Future<Output = ()> + Send + 'static) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let until = async move {
                tokio::select! {
                    _ = stopped.wait_for(|s| *s) => {}
                    () = also_until => {}
                }
            };
            // Its end is reported whenever it comes, not only at shutdown.
            match worker.run(until).await {
                Ok(()) => tracing::info!("mail worker ended"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "mail worker failed"),
            }
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("mail worker panicked");
        }
    }
}

/// The retention schedule as a task (erasures due by the personal-data
/// rules, see `soi_service::privacy`), until [`RetentionTask::stop`].
pub struct RetentionTask {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RetentionTask {
    pub fn start(
        db: soi_db::Db,
        policy: soi_service::privacy::Policy,
        every: std::time::Duration,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(soi_service::privacy::run_schedule(
            db, policy, every, stopped,
        ));
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("retention schedule panicked");
        }
    }
}
