//! `POST /webhooks/payments/{city}`: a payment provider confirms that an
//! order was paid. The body is `{transactionId, orderId, amountTiyn,
//! status: "paid"}`, signed with `X-SOI-Signature: t=<unix seconds>,v1=<hex
//! of HMAC-SHA256(secret, "<t>." ‖ raw body)>`. The signature is checked, in
//! constant time, before the body is even parsed, and its time must be
//! within [`TOLERANCE`] of ours: a captured notification cannot be replayed
//! later (within the window, the transaction id makes a replay a duplicate).
//! Nothing is stored without it.
//!
//! Answers: 200 `{paymentId, duplicate}` (a repeated notification changes
//! nothing), 401 bad or missing signature, 400 not our JSON, 404 unknown city
//! or order, 409 the order cannot be paid (hold expired, paid by another
//! transaction), 422 wrong amount, 503 no secret configured or database down.

use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use soi_core::{OrderId, SystemCtx};
use soi_db::tickets::payments::{PaymentMethod, Receipt};
use soi_db::{Db, audit, cities};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-soi-signature";

/// The provider's notification.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    transaction_id: String,
    order_id: String,
    amount_tiyn: i64,
    status: String,
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    answer(status, json!({ "error": message }))
}

/// How far the time in a signature may be from ours, either way (clocks
/// drift; a provider retries at once).
pub const TOLERANCE_SECS: i64 = 300;

/// `t=<unix seconds>,v1=<hex>`: the HMAC of `"<t>." ‖ body`, compared in
/// constant time, and `t` within [`TOLERANCE_SECS`] of `now`.
fn signed(secret: &SecretString, headers: &HeaderMap, body: &[u8], now: i64) -> bool {
    let Some(value) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut at, mut hex) = (None, None);
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => at = t.parse::<i64>().ok(),
            Some(("v1", h)) => hex = Some(h),
            _ => {}
        }
    }
    let (Some(at), Some(signature)) = (at, hex.and_then(decode_hex)) else {
        return false;
    };
    if (now - at).abs() > TOLERANCE_SECS {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return false;
    };
    mac.update(format!("{at}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub async fn payment(
    State(state): State<AppState>,
    Path(city): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = &state.payment_webhook_secret else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "payment notifications are not configured",
        );
    };
    if !signed(secret, &headers, &body, chrono::Utc::now().timestamp()) {
        return refuse(StatusCode::UNAUTHORIZED, "bad or missing signature");
    }
    let Ok(n) = serde_json::from_slice::<Notification>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "not a payment notification");
    };
    if n.status != "paid" {
        // Other outcomes (failed, pending) change nothing here; a 2xx stops
        // the provider from sending them again.
        return answer(StatusCode::OK, json!({ "ignored": true }));
    }
    let Ok(order) = uuid::Uuid::parse_str(&n.order_id).map(OrderId::from) else {
        return refuse(StatusCode::NOT_FOUND, "order not found");
    };
    if n.transaction_id.trim().is_empty() || n.transaction_id.chars().count() > 200 {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "transactionId must be 1-200 characters",
        );
    }
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    match record(&state.db, &city, order, &n, &request_id).await {
        Ok((paid, city)) => {
            // Live sales views on every gateway learn of the sale.
            if let Some(redis) = &state.redis
                && !paid.duplicate
            {
                soi_graphql::live::publish(redis, city).await;
            }
            answer(
                StatusCode::OK,
                json!({ "paymentId": paid.payment.id, "duplicate": paid.duplicate }),
            )
        }
        Err(soi_db::Error::NotFound(what)) => {
            refuse(StatusCode::NOT_FOUND, &format!("{what} not found"))
        }
        Err(soi_db::Error::Invalid(e)) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
        Err(soi_db::Error::Conflict(message)) => refuse(StatusCode::CONFLICT, &message),
        Err(soi_db::Error::Unavailable(_)) => {
            refuse(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
        Err(e) => {
            tracing::error!(request_id, error = %e, "payment notification failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Pays the order in a tenant transaction of the city, as the system job
/// `payment-webhook`, and audits it there.
async fn record(
    db: &Db,
    slug: &str,
    order: OrderId,
    n: &Notification,
    request_id: &str,
) -> soi_db::Result<(soi_service::tickets::Paid, soi_core::CityId)> {
    let mut national = db.national().await?;
    let city = cities::by_slug(&mut national, slug).await?;
    national.commit().await?;
    let scope = SystemCtx::new("payment-webhook").in_city(city.id);
    let mut tx = db.tenant(&scope).await?;
    tx.set_request_id(request_id);
    let receipt = Receipt {
        method: PaymentMethod::Provider,
        amount_tiyn: n.amount_tiyn,
        reference: None,
        provider_txn_id: Some(n.transaction_id.trim()),
    };
    // The buyer's tickets by email, committed with the payment; a repeated
    // notification is a duplicate and enqueues nothing.
    let paid = soi_service::tickets::pay(&mut tx, order, receipt).await?;
    if !paid.duplicate {
        let targets = json!({ "orderId": order.to_string() });
        audit::record(&mut tx, "paymentWebhook", &targets, Some(request_id)).await?;
    }
    tx.commit().await?;
    Ok((paid, city.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(secret: &[u8], at: i64, body: &[u8]) -> HeaderMap {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("key");
        mac.update(format!("{at}.").as_bytes());
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut headers = HeaderMap::new();
        let value = format!("t={at},v1={hex}");
        headers.insert(SIGNATURE_HEADER, value.parse().expect("header"));
        headers
    }

    #[test]
    fn only_the_right_signature_at_the_right_time_passes() {
        let key = b"whsec-test-0123456789";
        let secret = SecretString::from("whsec-test-0123456789");
        let body = br#"{"transactionId":"t1"}"#;
        let now = 1_800_000_000;
        let headers = header(key, now - 10, body);
        assert!(signed(&secret, &headers, body, now));
        assert!(!signed(&secret, &headers, b"{}", now));
        // Replayed after the window, or dated in the future beyond it.
        assert!(!signed(&secret, &headers, body, now + TOLERANCE_SECS));
        assert!(!signed(
            &secret,
            &header(key, now + TOLERANCE_SECS + 1, body),
            body,
            now
        ));
        // Another secret; the time changed without the signature; no time.
        assert!(!signed(
            &secret,
            &header(b"another-secret", now, body),
            body,
            now
        ));
        let v1 = headers[SIGNATURE_HEADER]
            .to_str()
            .expect("ascii")
            .replace(&format!("t={}", now - 10), &format!("t={now}"));
        let mut moved = HeaderMap::new();
        moved.insert(SIGNATURE_HEADER, v1.parse().expect("header"));
        assert!(!signed(&secret, &moved, body, now));
        let mut bare = HeaderMap::new();
        bare.insert(SIGNATURE_HEADER, "v1=00".parse().expect("header"));
        assert!(!signed(&secret, &bare, body, now));
        assert!(!signed(&secret, &HeaderMap::new(), body, now));
    }
}
