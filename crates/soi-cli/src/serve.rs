//! `soi serve`: the gateway, until SIGINT or SIGTERM; then it drains and
//! stops without cutting a request (see `soi_server::Shutdown`).

use crate::config::Config;
use anyhow::Result;
use soi_server::App;

#[tracing::instrument(name = "serve", skip_all, fields(listen = %config.server.listen))]
pub async fn run(config: &Config) -> Result<()> {
    // First: a signal during start-up is then a stop, not a kill.
    let stop = crate::signals::install()?;
    if config.auth.jwt_secret.is_none() {
        tracing::warn!(
            "SOI_JWT_SECRET is not set: tokens are signed with a random key and end with this process"
        );
    }
    let app = App::build(config.app()?).await?;
    let addr = app.local_addr();
    tracing::info!(%addr, "serving GraphQL at http://{addr}/graphql");
    println!("SOI platform listening on http://{addr}/graphql");
    app.run_until_stopped(stop).await
}
