//! Automatic persisted queries, as Apollo clients send them: the
//! `persistedQuery` extension with `version: 1` and the query's SHA-256 in
//! `sha256Hash`. A hash alone is looked up in Redis (unknown:
//! `PersistedQueryNotFound`, and the client sends the query along); a hash
//! with its query is checked at once (a wrong hash is refused) but kept only
//! after the query parsed and passed every limit and validation rule
//! ([`keep`]), within the client's store rate and the store's own bounds
//! ([`soi_cache::ApqOptions`]). Without Redis every hash-only request is
//! "not found", so clients fall back to sending queries.

use crate::AppState;
use soi_cache::{ApqError, Redis, Scope};
use soi_graphql::{ErrorCode, throttle};
use std::net::IpAddr;

/// What to do with a request after the persisted-query step.
pub enum Outcome {
    /// Run it (its query filled in from the store when it came hash-only),
    /// and keep its query afterwards if [`Pending`] and it validated.
    Run(Box<async_graphql::Request>, Option<Pending>),
    /// Answer with this error.
    Refuse(ErrorCode, String),
}

/// A query sent with its hash, to keep once it proved valid.
pub struct Pending {
    hash: String,
    query: String,
}

/// The extension's hash, or why it is refused.
fn hash_of(ext: async_graphql::Value) -> Result<String, (ErrorCode, String)> {
    let ext = serde_json::to_value(ext).unwrap_or_default();
    if ext.get("version").and_then(|v| v.as_i64()) != Some(1) {
        return Err((
            ErrorCode::BadUserInput,
            "persistedQuery: only version 1 is supported".into(),
        ));
    }
    ext.get("sha256Hash")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            (
                ErrorCode::BadUserInput,
                "persistedQuery: sha256Hash is missing".into(),
            )
        })
}

/// Fills in the query of a hash-only request (taking the extension off, so
/// a second pass does not look it up again); any other request is left as
/// it is. GET uses it to see the operation before its mutation check.
pub async fn lookup(
    redis: Option<&Redis>,
    request: async_graphql::Request,
) -> Result<async_graphql::Request, (ErrorCode, String)> {
    if !request.extensions.contains_key("persistedQuery") || !request.query.trim().is_empty() {
        return Ok(request);
    }
    match resolve(redis, request).await {
        Outcome::Run(request, _) => Ok(*request),
        Outcome::Refuse(code, message) => Err((code, message)),
    }
}

/// Resolves the extension and takes it off the request.
pub async fn resolve(redis: Option<&Redis>, mut request: async_graphql::Request) -> Outcome {
    let Some(ext) = request.extensions.remove("persistedQuery") else {
        return Outcome::Run(Box::new(request), None);
    };
    let hash = match hash_of(ext) {
        Ok(hash) => hash,
        Err((code, message)) => return Outcome::Refuse(code, message),
    };
    if request.query.trim().is_empty() {
        let found = match redis {
            Some(r) => r.apq().get(&hash).await.ok().flatten(),
            None => None,
        };
        return match found {
            Some(query) => {
                request.query = query;
                Outcome::Run(Box::new(request), None)
            }
            None => Outcome::Refuse(
                ErrorCode::PersistedQueryNotFound,
                "PersistedQueryNotFound".into(),
            ),
        };
    }
    let checked = match redis {
        Some(r) => r.apq().check(&hash, &request.query),
        None => Ok(()),
    };
    match checked {
        Err(ApqError::HashMismatch) => Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: sha256Hash does not match the query".into(),
        ),
        Err(ApqError::BadHash) => Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: sha256Hash must be 64 lowercase hex digits".into(),
        ),
        Ok(()) if redis.is_some() => {
            let pending = Pending {
                hash,
                query: request.query.clone(),
            };
            Outcome::Run(Box::new(request), Some(pending))
        }
        // Too large to keep, or nowhere to keep it: the query runs, unstored.
        _ => Outcome::Run(Box::new(request), None),
    }
}

/// Keeps a query that validated, unless its client has stored too many in
/// the last minute or the store is full; either way the client only
/// learns it on its next hash-only request (not found, so it resends).
pub async fn keep(state: &AppState, client: Option<IpAddr>, pending: Pending) {
    let Some(redis) = &state.redis else {
        return;
    };
    let limits = &state.gql_limits;
    let rule = throttle::APQ_STORE_PER_CLIENT.with_limit(limits.apq_stores_per_minute);
    let subject = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    if throttle::allow(redis, limits, Scope::National, rule, &subject)
        .await
        .is_err()
    {
        tracing::debug!("persisted query not stored: the client's store rate is spent");
        return;
    }
    match redis.apq().put(&pending.hash, &pending.query).await {
        Ok(()) => {}
        Err(ApqError::Full) => tracing::warn!("persisted query not stored: the store is full"),
        Err(e) => tracing::debug!(error = %e, "persisted query not stored"),
    }
}
