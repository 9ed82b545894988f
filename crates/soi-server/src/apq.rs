//! Automatic persisted queries, as Apollo clients send them: the
//! `persistedQuery` extension with `version: 1` and the query's SHA-256 in
//! `sha256Hash`. A hash alone is looked up in Redis (unknown:
//! `PersistedQueryNotFound`, and the client sends the query along); a hash
//! with its query is checked and stored. Without Redis every hash-only
//! request is "not found", so clients fall back to sending queries.

use soi_cache::{ApqError, Redis};
use soi_graphql::ErrorCode;

/// What to do with a request after the persisted-query step.
pub enum Outcome {
    /// Run it (its query filled in from the store when it came hash-only).
    Run(Box<async_graphql::Request>),
    /// Answer with this error.
    Refuse(ErrorCode, String),
}

/// Resolves the extension and takes it off the request, so a request that
/// passes here twice (GET resolves before its mutation check) is looked up
/// and stored once.
pub async fn resolve(redis: Option<&Redis>, mut request: async_graphql::Request) -> Outcome {
    let Some(ext) = request.extensions.remove("persistedQuery") else {
        return Outcome::Run(Box::new(request));
    };
    let ext = serde_json::to_value(ext).unwrap_or_default();
    if ext.get("version").and_then(|v| v.as_i64()) != Some(1) {
        return Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: only version 1 is supported".into(),
        );
    }
    let Some(hash) = ext
        .get("sha256Hash")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
    else {
        return Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: sha256Hash is missing".into(),
        );
    };
    if request.query.trim().is_empty() {
        let found = match redis {
            Some(r) => r.apq().get(&hash).await.ok().flatten(),
            None => None,
        };
        return match found {
            Some(query) => {
                request.query = query;
                Outcome::Run(Box::new(request))
            }
            None => Outcome::Refuse(
                ErrorCode::PersistedQueryNotFound,
                "PersistedQueryNotFound".into(),
            ),
        };
    }
    let stored = match redis {
        Some(r) => r.apq().put(&hash, &request.query).await,
        None => Ok(()),
    };
    match stored {
        Err(ApqError::HashMismatch) => Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: sha256Hash does not match the query".into(),
        ),
        Err(ApqError::BadHash) => Outcome::Refuse(
            ErrorCode::BadUserInput,
            "persistedQuery: sha256Hash must be 64 lowercase hex digits".into(),
        ),
        // Too large to keep, or Redis away: the query runs, unstored.
        Err(ApqError::TooLarge | ApqError::Unavailable(_)) | Ok(()) => {
            Outcome::Run(Box::new(request))
        }
    }
}
