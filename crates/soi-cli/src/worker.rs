//! `soi worker`: the mail worker alone until SIGINT or SIGTERM (`soi serve`
//! runs it beside the gateway when `SOI_WORKER_IN_SERVE=true`, see
//! `soi_server::background`). Stopping lets sends in flight finish and hands
//! back the rest.

use crate::config::Config;
use anyhow::{Context, Result};
use soi_db::Db;
use soi_mail::Worker;

#[tracing::instrument(name = "worker", skip_all, fields(worker_id = tracing::field::Empty))]
pub async fn run(config: &Config) -> Result<()> {
    let db_config = config.db();
    let db = Db::connect(&db_config).await?;
    let worker = Worker::new(db.clone(), db_config, config.mail_worker())?;
    tracing::Span::current().record("worker_id", worker.id());
    println!("mail worker {} started", worker.id());
    worker
        .run(crate::serve::shutdown_signal())
        .await
        .context("mail worker failed")?;
    db.close().await;
    Ok(())
}
