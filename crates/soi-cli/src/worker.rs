//! `soi worker`: the mail worker and the retention schedule (erasures due
//! by the personal-data rules) until SIGINT or SIGTERM (`soi serve` runs
//! both beside the gateway when `SOI_WORKER_IN_SERVE=true`, see
//! `soi_server::background`). Stopping lets sends in flight finish and be
//! recorded, and hands back the rest, so a replacement worker sends each
//! message once; a second signal stops at once.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use soi_db::Db;
use soi_mail::Worker;

#[tracing::instrument(name = "worker", skip_all, fields(worker_id = tracing::field::Empty))]
pub async fn run(config: &Config) -> Result<()> {
    // First: a signal during start-up is then a stop, not a kill.
    let stop = crate::signals::install()?;
    // Invitation and reset links are sealed in the outbox with this key; a
    // worker without it could open none of them and would park every one.
    if config.auth.jwt_secret.is_none() {
        bail!(
            "SOI_JWT_SECRET must be set for the mail worker: it opens the invitation and \
             password-reset links the gateway seals with it (use the gateway's value)"
        );
    }
    let db_config = config.db();
    let db = Db::connect(&db_config).await?;
    let worker = Worker::new(db.clone(), db_config, config.mail_worker())?;
    let policy = config.privacy()?;
    tracing::Span::current().record("worker_id", worker.id());
    println!("mail worker {} started", worker.id());
    let (stop_retention, stopped) = tokio::sync::watch::channel(false);
    let retention = tokio::spawn(soi_service::privacy::run_schedule(
        db.clone(),
        policy,
        config.retention_every(),
        stopped,
    ));
    let mailed = worker.run(stop).await.context("mail worker failed");
    let _ = stop_retention.send(true);
    if retention.await.is_err() {
        tracing::error!("retention schedule panicked");
    }
    mailed?;
    db.close().await;
    Ok(())
}
