//! The gateway under test: started in this process, signed in, checked.

use super::*;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use soi_auth::TokenKeys;
use soi_db::{Db, DbConfig};
use soi_graphql::{AuthSettings, Limits, build_schema};
use soi_server::{AppState, HttpLimits, launch};
use std::net::SocketAddr;
use std::time::Duration;

// --- the gateway -----------------------------------------------------------

pub(crate) struct Gateway {
    pub(crate) addr: SocketAddr,
    pub(crate) db: Db,
    pub(crate) stop: tokio::sync::oneshot::Sender<()>,
    pub(crate) task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Gateway {
    /// The gateway as `soi serve` builds it, on 127.0.0.1:0, with or without Redis.
    pub(crate) async fn start(
        url: &str,
        pool: u32,
        keys: &TokenKeys,
        redis: Option<soi_cache::Redis>,
    ) -> Result<Self> {
        let mut cfg = DbConfig::new(url);
        cfg.max_connections = pool;
        cfg.min_connections = 2.min(pool);
        let db = Db::connect(&cfg).await?;
        let auth = AuthSettings {
            keys: keys.clone(),
            refresh_ttl: chrono::Duration::days(30),
        };
        let state = AppState {
            schema: build_schema(db.clone(), auth, Limits::default(), redis.clone()),
            db: db.clone(),
            redis,
            metrics: soi_server::metrics::Metrics::default(),
            limits: HttpLimits::default(),
            keys: keys.clone(),
            anonymous_introspection: false,
            gql_limits: Limits::default(),
            payment_webhook_secret: None,
            metrics_token: None,
            unsubscribe: None,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(launch(listener, state, async {
            let _ = rx.await;
        }));
        Ok(Self {
            addr,
            db,
            stop,
            task,
        })
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        self.db.close().await;
    }
}

pub(super) async fn graphql(
    client: &reqwest::Client,
    addr: SocketAddr,
    token: &str,
    query: &str,
    variables: &Value,
) -> Result<Value> {
    let mut req = client
        .post(format!("http://{addr}/graphql"))
        .timeout(Duration::from_secs(30))
        .json(&json!({ "query": query, "variables": variables }));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    let body: Value = req.send().await?.json().await?;
    if body.get("errors").is_some() {
        bail!("the gateway answered with errors: {body}");
    }
    Ok(body)
}

pub(super) async fn login(
    client: &reqwest::Client,
    addr: SocketAddr,
    email: &str,
) -> Result<String> {
    let body = graphql(
        client,
        addr,
        "",
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        &json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
    )
    .await?;
    body["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("login gave no token: {body}"))
}

pub(super) async fn first_season(
    client: &reqwest::Client,
    addr: SocketAddr,
    token: &str,
) -> Result<String> {
    let body = graphql(
        client,
        addr,
        token,
        "{ seasons { edges { node { id } } } }",
        &json!({}),
    )
    .await?;
    body["data"]["seasons"]["edges"][0]["node"]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the city has no season: {body}"))
}

/// What the answer holds, so a benchmark of empty answers cannot pass.
pub(super) fn check_response(shape: &Shape, body: &Value) -> Result<String> {
    let data = &body["data"];
    if shape.key == "a" {
        let n = data["participants"]["edges"].as_array().map_or(0, Vec::len);
        if n == 0 {
            bail!("{}: no participants in {body}", shape.label);
        }
        return Ok(format!("{n} participants"));
    }
    let groups = data["groups"].as_array().cloned().unwrap_or_default();
    let members: usize = groups
        .iter()
        .map(|g| g["members"].as_array().map_or(0, Vec::len))
        .sum();
    if members == 0 {
        bail!("{}: no group members in {body}", shape.label);
    }
    Ok(format!("{} groups, {members} members", groups.len()))
}
