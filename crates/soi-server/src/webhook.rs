//! `POST /webhooks/payments/{city}`: a payment provider confirms that an
//! order was paid. The body is `{transactionId, orderId, amountTiyn,
//! status: "paid"}`, signed with `X-SOI-Signature: sha256=<hex of
//! HMAC-SHA256(secret, raw body)>`. The signature is checked, in constant
//! time, before the body is even parsed; nothing is stored without it.
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

/// `sha256=<hex>` of HMAC-SHA256(secret, body), compared in constant time.
fn signed(secret: &SecretString, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(hex) = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("sha256="))
    else {
        return false;
    };
    let Some(signature) = decode_hex(hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return false;
    };
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
    if !signed(secret, &headers, &body) {
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

    #[test]
    fn only_the_right_signature_passes() {
        let secret = SecretString::from("whsec-test-0123456789");
        let body = br#"{"transactionId":"t1"}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec-test-0123456789").expect("key");
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut headers = HeaderMap::new();
        headers.insert(
            SIGNATURE_HEADER,
            format!("sha256={hex}").parse().expect("header"),
        );
        assert!(signed(&secret, &headers, body));
        assert!(!signed(&secret, &headers, b"{}"));
        headers.insert(SIGNATURE_HEADER, "sha256=zz".parse().expect("header"));
        assert!(!signed(&secret, &headers, body));
        assert!(!signed(&secret, &HeaderMap::new(), body));
    }
}
