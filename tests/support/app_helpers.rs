//! Shorthands on a running gateway that many tests use: a signed-in query
//! that may fail (`ask`) or must succeed (`ok`, `field`), and one refused
//! to the wrong roles (`assert_refused`). Kept apart from `app.rs`,
//! which builds the gateway.

use crate::{TestApp, codes};
use serde_json::Value;

impl TestApp {
    /// POSTs a query with `token`; returns the body, errors or not.
    pub async fn ask(&self, token: &str, query: &str, vars: Value) -> Value {
        self.graphql_as(Some(token), query, vars).await.1
    }

    /// POSTs a query with `token` that must succeed; returns its `data`.
    pub async fn ok(&self, token: &str, query: &str, vars: Value) -> Value {
        let body = self.ask(token, query, vars).await;
        assert!(body["errors"].is_null(), "{query}: {body}");
        body["data"].clone()
    }

    /// POSTs a query with `token` that must succeed; returns `data.<name>`.
    pub async fn field(&self, token: &str, query: &str, vars: Value, name: &str) -> Value {
        let body = self.ask(token, query, vars).await;
        assert!(body["errors"].is_null(), "{name}: {body}");
        body["data"][name].clone()
    }

    /// `query` is FORBIDDEN to each of `tokens` and UNAUTHENTICATED without
    /// a token.
    pub async fn assert_refused(&self, tokens: &[&str], query: &str, vars: &Value) {
        for token in tokens {
            let body = self.ask(token, query, vars.clone()).await;
            assert_eq!(codes(&body), ["FORBIDDEN"], "{query}: {body}");
        }
        let (_, body) = self.graphql(query, vars.clone()).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{query}: {body}");
    }
}
