//! `soi worker`: the mail worker alone until SIGINT or SIGTERM (`soi serve`
//! runs it beside the gateway when `SOI_WORKER_IN_SERVE=true`, see
//! `soi_server::background`). Stopping lets sends in flight finish and hands
//! back the rest.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use soi_db::Db;
use soi_mail::Worker;

#[tracing::instrument(name = "worker", skip_all, fields(worker_id = tracing::field::Empty))]
pub async fn run(config: &Config) -> Result<()> {
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
    tracing::Span::current().record("worker_id", worker.id());
    println!("mail worker {} started", worker.id());
    worker
        .run(crate::serve::shutdown_signal())
        .await
        .context("mail worker failed")?;
    db.close().await;
    Ok(())
}
