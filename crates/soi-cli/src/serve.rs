//! `soi serve`: the gateway, until SIGINT or SIGTERM; requests in flight finish.

use crate::config::Config;
use anyhow::Result;
use soi_server::App;

#[tracing::instrument(name = "serve", skip_all, fields(listen = %config.server.listen))]
pub async fn run(config: &Config) -> Result<()> {
    if config.auth.jwt_secret.is_none() {
        tracing::warn!(
            "SOI_JWT_SECRET is not set: tokens are signed with a random key and end with this process"
        );
    }
    let app = App::build(config.app()?).await?;
    let addr = app.local_addr();
    tracing::info!(%addr, "serving GraphQL at http://{addr}/graphql");
    println!("SOI platform listening on http://{addr}/graphql");
    app.run_until_stopped(shutdown_signal()).await
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
