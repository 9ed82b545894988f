//! `soi serve`: the gateway, until SIGINT or SIGTERM; requests in flight finish.

use crate::config::Config;
use anyhow::{Context, Result};
use secrecy::ExposeSecret;
use soi_auth::TokenKeys;
use soi_db::Db;
use soi_graphql::{AuthSettings, build_schema};
use soi_server::sweeper::{SWEEP_EVERY, Sweeper};
use soi_server::{AppState, HttpLimits, launch};

pub async fn run(config: &Config) -> Result<()> {
    let db = Db::connect(&config.db).await?;
    // Redis is optional at start: the layer connects in the background and
    // the gateway serves from PostgreSQL until (and whenever) it cannot.
    let redis = soi_cache::Redis::new(
        config.redis_url.expose_secret(),
        soi_cache::CacheOptions {
            prefix: config.redis_prefix.clone(),
            ..soi_cache::CacheOptions::default()
        },
    )
    .context("REDIS_URL")?;
    // A moment for the first connection, so counters and the cache start in
    // Redis; past it the gateway starts degraded and Redis joins later.
    let started = std::time::Instant::now();
    while !redis.is_up() && started.elapsed() < std::time::Duration::from_secs(2) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    if !redis.is_up() {
        tracing::warn!("Redis is not reachable; serving from PostgreSQL until it is");
    }
    if config.jwt_secret_generated {
        tracing::warn!(
            "SOI_JWT_SECRET is not set: tokens are signed with a random key and end with this process"
        );
    }
    let keys = TokenKeys::new(&config.jwt_secret, config.access_ttl_secs);
    let auth = AuthSettings {
        keys: keys.clone(),
        refresh_ttl: chrono::Duration::days(config.refresh_ttl_days),
    };
    let state = AppState {
        schema: build_schema(db.clone(), auth, config.gql_limits, Some(redis.clone())),
        db: db.clone(),
        redis: Some(redis),
        metrics: soi_server::metrics::Metrics::default(),
        limits: HttpLimits::default(),
        keys,
        anonymous_introspection: config.anonymous_introspection,
        gql_limits: config.gql_limits,
        payment_webhook_secret: config.payment_webhook_secret.clone(),
        metrics_token: config.metrics_token.clone(),
        unsubscribe: config.unsubscribe.clone(),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("no local address")?;
    tracing::info!(%addr, "serving GraphQL at http://{addr}/graphql");
    println!("SOI platform listening on http://{addr}/graphql");
    // Lapsed ticket holds go back on sale even when nobody is buying.
    let sweeper = Sweeper::start(db.clone(), SWEEP_EVERY);
    let mail = if config.worker_in_serve {
        Some(crate::worker::MailTask::start(&db, config)?)
    } else {
        None
    };
    let served = launch(listener, state, shutdown_signal()).await;
    if let Some(mail) = mail {
        mail.stop().await;
    }
    sweeper.stop().await;
    served.context("server failed")?;
    db.close().await;
    Ok(())
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
