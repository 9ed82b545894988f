//! Liveness and readiness. Redis is an accelerator: without it the gateway is
//! degraded (slower), not down, so readiness stays 200 and says so. A
//! gateway that is stopping answers 503 "draining" at once (nothing is
//! checked): balancers should send new requests elsewhere, while it still
//! serves what reaches it (see [`crate::drain`]).

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub async fn alive() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.drain.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "draining", "detail": "stopping: send new requests elsewhere" }),
            ),
        );
    }
    let postgres = tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await;
    let postgres_ok = matches!(postgres, Ok(Ok(())));
    // The Redis layer tracks its own health (it pings in the background).
    let redis_ok = state.redis.as_ref().is_some_and(soi_cache::Redis::is_up);
    let status = match (postgres_ok, redis_ok) {
        (false, _) => "unavailable",
        (true, false) => "degraded",
        (true, true) => "ready",
    };
    let code = if postgres_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(json!({
            "status": status,
            "postgres": if postgres_ok { "up" } else { "down" },
            "redis": if redis_ok { "up" } else { "down" },
        })),
    )
}
