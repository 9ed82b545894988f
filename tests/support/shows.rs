//! Ticketing fixtures: a show with ticket types, made through the db layer
//! (as a system job), and helpers to reserve, pay and sign webhooks.

use crate::{TEST_WEBHOOK_SECRET, TestApp, TestDb};
use chrono::{Days, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use soi_core::states::EventStatus;
use soi_core::{EventId, RinkId, SeasonId, TicketTypeId};
use soi_db::cities;
use soi_db::events::events::NewEvent;
use soi_db::program::rinks;
use soi_db::program::seasons::{self, NewSeason};

pub const RESERVE: &str = "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId accessKey status expiresAt total items { ticketTypeName quantity unitPrice } } }";
pub const PAY: &str = "mutation($o: ID!, $m: TicketPaymentMethod!, $a: Tiyn!) { recordPayment(orderId: $o, method: $m, amount: $a, reference: \"receipt 17\") { id status total tickets { id code status qrSvg ticketTypeName } payment { method amount } } }";
pub const SALES: &str = "query($e: ID!) { eventSales(eventId: $e) { quota sold held remaining checkedIn revenue ticketTypes { name sold held remaining } } }";

/// A published (or draft) show in a city, two months ahead.
pub struct Show {
    pub city: String,
    pub event: String,
    /// The ticket types' ids, in the order given.
    pub types: Vec<String>,
}

/// Makes a season, a show with `hold_minutes` and the ticket types
/// (name, price in tiyn, quota), published unless `draft`.
pub async fn show(
    t: &TestDb,
    slug: &str,
    hold_minutes: i32,
    types: &[(&str, i64, i32)],
    draft: bool,
) -> Show {
    let db = t.db().await;
    let mut national = db.national().await.expect("national");
    let city = cities::by_slug(&mut national, slug).await.expect("city");
    national.commit().await.expect("commit");
    let mut tx = crate::tenant(&db, city.id).await;
    let today = Utc::now().date_naive();
    let season = seasons::insert(
        &mut tx,
        SeasonId::new(),
        &NewSeason {
            title: format!("Show season {}", SeasonId::new().as_uuid().simple()),
            social_theme: "Clean air".into(),
            starts_on: today.checked_sub_days(Days::new(30)).expect("date"),
            ends_on: today.checked_add_days(Days::new(120)).expect("date"),
            capacity: 40,
            auto_accept: false,
        },
    )
    .await
    .expect("season");
    let rink: RinkId = rinks::list(&mut tx).await.expect("rinks")[0].id;
    let event = soi_service::events::create(
        &mut tx,
        EventId::new(),
        &NewEvent {
            season_id: season.id,
            kind: soi_core::states::EventKind::IceShow,
            title: "SOI: youth for clean air".into(),
            motto: Some("Breathe".into()),
            social_theme: "Gas for remote homes".into(),
            rink_id: rink,
            starts_at: Utc::now() + Duration::days(60),
            hold_minutes,
            cause_id: None,
        },
    )
    .await
    .expect("event");
    let mut ids = Vec::new();
    for (name, price, quota) in types {
        let tt = soi_service::tickets::add_ticket_type(
            &mut tx,
            TicketTypeId::new(),
            event.id,
            name,
            *price,
            *quota,
        )
        .await
        .expect("ticket type");
        ids.push(tt.id.to_string());
    }
    if !draft {
        soi_service::events::set_status(&mut tx, event.id, EventStatus::Published)
            .await
            .expect("publish");
    }
    tx.commit().await.expect("commit");
    db.close().await;
    Show {
        city: slug.to_owned(),
        event: event.id.to_string(),
        types: ids,
    }
}

/// Reserves `items` (ticket type id, quantity) for a buyer, anonymously.
pub async fn reserve(app: &TestApp, show: &Show, items: &[(&str, i64)]) -> (u16, Value) {
    let items: Vec<Value> = items
        .iter()
        .map(|(t, q)| json!({ "ticketTypeId": t, "quantity": q }))
        .collect();
    app.graphql(
        RESERVE,
        json!({ "c": show.city, "i": { "eventId": show.event, "buyerName": "Айгерім Серікова",
                "buyerEmail": "Aigerim@Mail.kz", "language": "KK", "items": items } }),
    )
    .await
}

/// The order id and total of a successful reservation.
pub fn reserved(body: &Value) -> (String, i64) {
    let r = &body["data"]["reserveTickets"];
    (
        r["orderId"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned(),
        r["total"].as_i64().expect("total"),
    )
}

/// Pays an order as the admin with the token.
pub async fn pay(app: &TestApp, admin: &str, order: &str, amount: i64) -> Value {
    app.graphql_as(
        Some(admin),
        PAY,
        json!({ "o": order, "m": "KASPI", "a": amount }),
    )
    .await
    .1
}

/// The signature header of the body under the test webhook secret, made now.
pub fn signature(body: &[u8]) -> String {
    signature_at(body, chrono::Utc::now().timestamp())
}

/// `t=<at>,v1=<hex>` of `"<at>." ‖ body` under the test webhook secret.
pub fn signature_at(body: &[u8], at: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(TEST_WEBHOOK_SECRET.as_bytes()).expect("key");
    mac.update(format!("{at}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={at},v1={hex}")
}

/// Posts a payment notification with this signature header (or none).
pub async fn notify(app: &TestApp, city: &str, body: &Value, sig: Option<&str>) -> (u16, Value) {
    let raw = serde_json::to_vec(body).expect("json");
    let mut req = app
        .http
        .post(app.url(&format!("/webhooks/payments/{city}")))
        .header("content-type", "application/json")
        .body(raw);
    if let Some(s) = sig {
        req = req.header("X-SOI-Signature", s);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// One number from the database, as the owner (sees every city).
pub async fn count(t: &TestDb, sql: &str, id: &str) -> i64 {
    let mut c = t.raw().await;
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(uuid::Uuid::parse_str(id).expect("uuid"))
        .fetch_one(&mut c)
        .await
        .expect("count");
    n
}
