//! Talking to the gateway under test: signed in, asked, answers checked.

use super::*;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

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
pub(crate) fn check_response(shape: &Shape, body: &Value) -> Result<String> {
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
