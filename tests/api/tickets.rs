//! Ticketing through the gateway: reserve, pay, tickets with codes and QR
//! codes for the buyer; holds that lapse by themselves; refunds; check-in
//! once (also under fifty simultaneous scans); cities apart; the payment
//! provider's signed, idempotent webhook.

use serde_json::{Value, json};
use soi_tests::shows::{
    PAY, SALES, count, notify, pay, reserve, reserved, show, signature, signature_at,
};
use soi_tests::{TestApp, TestDb, codes};

const BUYER: &str = "query($c: String!, $o: ID!, $k: String!) { ticketOrder(city: $c, orderId: $o, accessKey: $k) { status total items { quantity } tickets { code qrSvg ticketTypeName status } } }";
const REFUND: &str = "mutation($o: ID!) { refundOrder(orderId: $o, reason: \"the buyer fell ill\") { status closedReason tickets { status } } }";
const CANCEL: &str = "mutation($o: ID!) { cancelHold(orderId: $o) { status } }";
const SCAN: &str = "mutation($c: String!) { checkInTicket(code: $c) { admitted firstUsedAt firstUsedLocal ticketTypeName message } }";
const ORDERS: &str = "query($e: ID!, $s: TicketOrderStatus) { ticketOrders(eventId: $e, status: $s) { edges { node { id buyerName buyerEmail status } } } }";

/// Seats taken of a ticket type: the sum over its seat buckets.
const TAKEN: &str =
    "select coalesce(sum(taken), 0)::bigint from ticket_seat_buckets where ticket_type_id = $1";
const ORDERS_OF_EVENT: &str = "select count(*) from ticket_orders where event_id = $1";
const LEDGER_OF_ORDER: &str = "select count(*) from ledger_entries where order_id = $1";
const PAYMENTS_OF_ORDER: &str = "select count(*) from payments where order_id = $1";

async fn seeded() -> (TestDb, TestApp, String) {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    (t, app, admin)
}

async fn sales(app: &TestApp, admin: &str, event: &str) -> Value {
    let (_, body) = app
        .graphql_as(Some(admin), SALES, json!({ "e": event }))
        .await;
    body["data"]["eventSales"].clone()
}

/// Reserves `q` of the show's first type and pays; returns the order and its codes.
async fn bought(
    app: &TestApp,
    admin: &str,
    show: &soi_tests::shows::Show,
    q: i64,
) -> (String, Vec<String>) {
    let (_, body) = reserve(app, show, &[(show.types[0].as_str(), q)]).await;
    let (order, total) = reserved(&body);
    let paid = pay(app, admin, &order, total).await;
    let codes = paid["data"]["recordPayment"]["tickets"]
        .as_array()
        .unwrap_or_else(|| panic!("{paid}"))
        .iter()
        .map(|t| t["code"].as_str().expect("code").to_owned())
        .collect();
    (order, codes)
}

#[tokio::test]
async fn a_buyer_reserves_an_admin_records_payment_and_the_buyer_gets_tickets_with_qr_codes() {
    let (t, app, admin) = seeded().await;
    let s = show(
        &t,
        "almaty",
        20,
        &[("Parterre", 500_000, 100), ("Balcony", 250_000, 50)],
        false,
    )
    .await;
    let (status, body) = reserve(
        &app,
        &s,
        &[(s.types[1].as_str(), 1), (s.types[0].as_str(), 2)],
    )
    .await;
    assert_eq!(status, 200);
    let (order, total) = reserved(&body);
    assert_eq!(total, 1_250_000, "{body}");
    assert_eq!(body["data"]["reserveTickets"]["status"], "HELD");
    let key = body["data"]["reserveTickets"]["accessKey"]
        .as_str()
        .expect("key")
        .to_owned();
    assert!(key.len() >= 22);

    // Before payment the buyer sees the hold and no tickets; a wrong key sees nothing.
    let vars = |k: &str| json!({ "c": "almaty", "o": order, "k": k });
    let (_, held) = app.graphql(BUYER, vars(&key)).await;
    assert_eq!(held["data"]["ticketOrder"]["status"], "HELD", "{held}");
    assert_eq!(held["data"]["ticketOrder"]["tickets"], json!([]));
    let (_, wrong) = app.graphql(BUYER, vars("0000000000000000000000000A")).await;
    assert_eq!(wrong["data"]["ticketOrder"], Value::Null, "{wrong}");
    let (_, elsewhere) = app
        .graphql(BUYER, json!({ "c": "astana", "o": order, "k": key }))
        .await;
    assert_eq!(elsewhere["data"]["ticketOrder"], Value::Null);

    // The amount must be the total; then the order is paid once.
    let short = pay(&app, &admin, &order, total - 1).await;
    assert_eq!(codes(&short), ["BAD_USER_INPUT"], "{short}");
    let paid = pay(&app, &admin, &order, total).await;
    let node = &paid["data"]["recordPayment"];
    assert_eq!(node["status"], "PAID", "{paid}");
    assert_eq!(node["payment"]["amount"], total);
    let tickets = node["tickets"].as_array().expect("tickets");
    assert_eq!(tickets.len(), 3);
    let mut seen: Vec<&str> = tickets
        .iter()
        .map(|t| t["code"].as_str().expect("code"))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3, "codes are unique");
    assert!(seen.iter().all(|c| c.len() >= 22));
    assert!(
        tickets
            .iter()
            .all(|t| t["qrSvg"].as_str().is_some_and(|s| s.contains("<svg")))
    );
    let again = pay(&app, &admin, &order, total).await;
    assert_eq!(codes(&again), ["CONFLICT"]);

    // The buyer now gets the same tickets, QR codes included.
    let (_, mine) = app.graphql(BUYER, vars(&key)).await;
    let mine = &mine["data"]["ticketOrder"];
    assert_eq!(mine["status"], "PAID");
    assert_eq!(mine["tickets"].as_array().expect("tickets").len(), 3);
    assert!(
        mine["tickets"][0]["qrSvg"]
            .as_str()
            .expect("svg")
            .contains("</svg>")
    );

    // One sale in the ledger; the sales figures add up.
    assert_eq!(count(&t, LEDGER_OF_ORDER, &order).await, 1);
    let figures = sales(&app, &admin, &s.event).await;
    assert_eq!(figures["sold"], 3, "{figures}");
    assert_eq!(figures["remaining"], 147);
    assert_eq!(figures["revenue"], 1_250_000);

    // Admins list orders with the buyer's contacts; a coach may not.
    let (_, list) = app
        .graphql_as(Some(&admin), ORDERS, json!({ "e": s.event, "s": "PAID" }))
        .await;
    let node = &list["data"]["ticketOrders"]["edges"][0]["node"];
    assert_eq!(node["buyerEmail"], "aigerim@mail.kz", "{list}");
    let coach = app.login("coach@almaty.soi.test").await;
    let (_, refused) = app
        .graphql_as(Some(&coach), ORDERS, json!({ "e": s.event }))
        .await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    let (_, refused) = app
        .graphql_as(
            Some(&coach),
            PAY,
            json!({ "o": order, "m": "CASH", "a": total }),
        )
        .await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
}

#[tokio::test]
async fn a_draft_event_is_not_on_sale() {
    let (t, app, _) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], true).await;
    let (_, body) = reserve(&app, &s, &[(s.types[0].as_str(), 1)]).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("not on sale")
    );
}

#[tokio::test]
async fn bad_quantities_are_refused_and_nothing_is_stored() {
    let (t, app, _) = seeded().await;
    let s = show(
        &t,
        "almaty",
        20,
        &[("Parterre", 500_000, 100), ("Balcony", 0, 100)],
        false,
    )
    .await;
    let (a, b) = (s.types[0].as_str(), s.types[1].as_str());
    let bad: [&[(&str, i64)]; 6] = [
        &[(a, 0)],
        &[(a, -1)],
        &[(a, 21)],
        &[(a, 15), (b, 10)],
        &[(a, 1), (a, 1)],
        &[],
    ];
    for items in bad {
        let (_, body) = reserve(&app, &s, items).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{items:?}: {body}");
    }
    // Past GraphQL's 32-bit Int: refused while the request is validated.
    let (_, body) = reserve(&app, &s, &[(a, 1 << 40)]).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let (_, body) = reserve(&app, &s, &[("not-an-id", 1)]).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);
    assert_eq!(count(&t, ORDERS_OF_EVENT, &s.event).await, 0);
    assert_eq!(count(&t, TAKEN, a).await, 0);
}

#[tokio::test]
async fn a_type_without_enough_seats_fails_the_whole_order() {
    let (t, app, _) = seeded().await;
    let s = show(
        &t,
        "almaty",
        20,
        &[("Parterre", 500_000, 3), ("Balcony", 100_000, 10)],
        false,
    )
    .await;
    let (a, b) = (s.types[0].as_str(), s.types[1].as_str());
    reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    let (_, body) = reserve(&app, &s, &[(b, 4), (a, 2)]).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    let message = body["errors"][0]["message"].as_str().expect("message");
    assert!(message.starts_with("sold out: Parterre"), "{message}");
    // Nothing of the failed order stayed: not its Balcony seats either.
    assert_eq!(count(&t, TAKEN, b).await, 0);
    reserved(&reserve(&app, &s, &[(a, 1)]).await.1);
    let (_, body) = reserve(&app, &s, &[(a, 1)]).await;
    assert_eq!(codes(&body), ["CONFLICT"]);
    assert_eq!(count(&t, TAKEN, a).await, 3);
    assert_eq!(count(&t, ORDERS_OF_EVENT, &s.event).await, 2);
}

/// The event's expired orders, as its admin lists them.
async fn expired_orders(app: &TestApp, admin: &str, event: &str) -> Vec<Value> {
    let (_, list) = app
        .graphql_as(Some(admin), ORDERS, json!({ "e": event, "s": "EXPIRED" }))
        .await;
    list["data"]["ticketOrders"]["edges"]
        .as_array()
        .expect("edges")
        .clone()
}

/// Moves every hold of the event past its time, as the owner.
async fn lapse(t: &TestDb, event: &str) {
    let mut c = t.raw().await;
    sqlx::query("update ticket_orders set expires_at = now() - interval '1 second' where event_id = $1 and status = 'held'")
        .bind(uuid::Uuid::parse_str(event).expect("uuid"))
        .execute(&mut c)
        .await
        .expect("lapse");
}

/// A reservation gives back the lapsed holds of its event when a type it
/// wants has some, and takes their seats; a reservation of another type
/// leaves them to the sweeper (it does not look for them).
#[tokio::test]
async fn a_reservation_takes_the_seats_of_a_lapsed_hold_of_its_type() {
    let (t, app, admin) = seeded().await;
    let s = show(
        &t,
        "almaty",
        1,
        &[("Parterre", 500_000, 2), ("Balcony", 300_000, 5)],
        false,
    )
    .await;
    let (a, b) = (s.types[0].as_str(), s.types[1].as_str());
    let (first, _) = reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    lapse(&t, &s.event).await;
    let expired = async || expired_orders(&app, &admin, &s.event).await.len();

    reserved(&reserve(&app, &s, &[(b, 1)]).await.1);
    assert_eq!(
        expired().await,
        0,
        "another type's reservation left the hold"
    );
    assert_eq!(count(&t, TAKEN, a).await, 2);

    let (second, _) = reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    assert_ne!(first, second);
    assert_eq!(expired().await, 1, "the lapsed hold expired");
    assert_eq!(
        count(&t, TAKEN, a).await,
        2,
        "its seats went to the next buyer"
    );
    assert_eq!(count(&t, TAKEN, b).await, 1);
    assert_eq!(codes(&reserve(&app, &s, &[(a, 1)]).await.1), ["CONFLICT"]);
}

#[tokio::test]
async fn lapsed_holds_free_their_seats_by_themselves() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 1, &[("Parterre", 500_000, 2)], false).await;
    let a = s.types[0].as_str();
    let (first, total) = reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    assert_eq!(codes(&reserve(&app, &s, &[(a, 1)]).await.1), ["CONFLICT"]);
    lapse(&t, &s.event).await;

    // Lapsed seats count as free at once, and the next buyer gets them.
    let figures = sales(&app, &admin, &s.event).await;
    assert_eq!(
        (figures["held"].as_i64(), figures["remaining"].as_i64()),
        (Some(0), Some(2)),
        "{figures}"
    );
    let expired = pay(&app, &admin, &first, total).await;
    assert_eq!(codes(&expired), ["CONFLICT"], "{expired}");
    assert!(
        expired["errors"][0]["message"]
            .as_str()
            .expect("m")
            .contains("expired")
    );
    let (second, _) = reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    assert_eq!(count(&t, TAKEN, a).await, 2);
    let expired = expired_orders(&app, &admin, &s.event).await;
    assert_eq!(expired[0]["node"]["id"], first.as_str(), "{expired:?}");

    // With nobody buying, the sweeper returns the seats.
    lapse(&t, &s.event).await;
    let db = t.db().await;
    let swept = soi_server::sweeper::sweep_once(&db).await.expect("sweep");
    assert!(swept >= 1);
    assert_eq!(
        soi_server::sweeper::sweep_once(&db).await.expect("sweep"),
        0,
        "idempotent"
    );
    assert_eq!(count(&t, TAKEN, a).await, 0);
    let (_, list) = app
        .graphql_as(
            Some(&admin),
            ORDERS,
            json!({ "e": s.event, "s": "EXPIRED" }),
        )
        .await;
    assert_eq!(
        list["data"]["ticketOrders"]["edges"]
            .as_array()
            .expect("edges")
            .len(),
        2
    );
    assert!(list.to_string().contains(&second));

    // An admin may end a hold early; its seats come back too.
    let (third, _) = reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    let (_, body) = app
        .graphql_as(Some(&admin), CANCEL, json!({ "o": third }))
        .await;
    assert_eq!(body["data"]["cancelHold"]["status"], "CANCELLED", "{body}");
    assert_eq!(count(&t, TAKEN, a).await, 0);
    let (_, body) = app
        .graphql_as(Some(&admin), CANCEL, json!({ "o": third }))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"]);
}

#[tokio::test]
async fn a_refund_returns_the_seats_cancels_the_tickets_and_writes_a_negative_entry() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], false).await;
    let (order, codes_of) = bought(&app, &admin, &s, 2).await;
    assert_eq!(count(&t, TAKEN, &s.types[0]).await, 2);
    let (_, body) = app
        .graphql_as(Some(&admin), REFUND, json!({ "o": order }))
        .await;
    let node = &body["data"]["refundOrder"];
    assert_eq!(node["status"], "REFUNDED", "{body}");
    assert_eq!(node["closedReason"], "the buyer fell ill");
    assert_eq!(
        node["tickets"],
        json!([{ "status": "CANCELLED" }, { "status": "CANCELLED" }])
    );
    assert_eq!(count(&t, TAKEN, &s.types[0]).await, 0);
    let sum = count(
        &t,
        "select coalesce(sum(amount_tiyn), 0)::bigint from ledger_entries where order_id = $1",
        &order,
    )
    .await;
    assert_eq!(sum, 0);
    let refunds = count(&t, "select count(*) from ledger_entries where order_id = $1 and kind = 'refund' and amount_tiyn = -1000000", &order).await;
    assert_eq!(refunds, 1);
    let (_, again) = app
        .graphql_as(Some(&admin), REFUND, json!({ "o": order }))
        .await;
    assert_eq!(codes(&again), ["CONFLICT"]);
    // A refunded ticket does not admit.
    let (_, scan) = app
        .graphql_as(Some(&admin), SCAN, json!({ "c": codes_of[0] }))
        .await;
    assert_eq!(codes(&scan), ["CONFLICT"], "{scan}");

    // An order with a used ticket is not refunded, and nothing changes.
    let (used, used_codes) = bought(&app, &admin, &s, 1).await;
    app.graphql_as(Some(&admin), SCAN, json!({ "c": used_codes[0] }))
        .await;
    let (_, refused) = app
        .graphql_as(Some(&admin), REFUND, json!({ "o": used }))
        .await;
    assert_eq!(codes(&refused), ["CONFLICT"], "{refused}");
    assert_eq!(count(&t, TAKEN, &s.types[0]).await, 1);
    assert_eq!(count(&t, LEDGER_OF_ORDER, &used).await, 1);
}

#[tokio::test]
async fn a_second_scan_says_when_the_ticket_was_first_used() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], false).await;
    let (_, codes_of) = bought(&app, &admin, &s, 1).await;
    let coach = app.login("coach@almaty.soi.test").await;
    // Scanners may type the code in lower case with dashes.
    let typed = format!("{}-{}", &codes_of[0][..13], &codes_of[0][13..]).to_lowercase();
    let (_, first) = app
        .graphql_as(Some(&coach), SCAN, json!({ "c": typed }))
        .await;
    let first = &first["data"]["checkInTicket"];
    assert_eq!(first["admitted"], true, "{first}");
    assert_eq!(first["ticketTypeName"], "Parterre");
    let (_, second) = app
        .graphql_as(Some(&admin), SCAN, json!({ "c": codes_of[0] }))
        .await;
    let second = &second["data"]["checkInTicket"];
    assert_eq!(second["admitted"], false, "{second}");
    assert_eq!(second["firstUsedAt"], first["firstUsedAt"]);
    let message = second["message"].as_str().expect("message");
    assert!(
        message.starts_with("already used at ") && message.ends_with("(Asia/Almaty)"),
        "{message}"
    );
    assert_eq!(sales(&app, &admin, &s.event).await["checkedIn"], 1);

    let student = app.login("student@almaty.soi.test").await;
    let (_, body) = app
        .graphql_as(Some(&student), SCAN, json!({ "c": codes_of[0] }))
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"]);
    let (_, body) = app
        .graphql_as(
            Some(&admin),
            SCAN,
            json!({ "c": "0123456789ABCDEFGHJKMNPQRS" }),
        )
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"]);
    let (_, body) = app
        .graphql_as(Some(&admin), SCAN, json!({ "c": "nope" }))
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn fifty_simultaneous_scans_of_one_ticket_admit_exactly_one() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], false).await;
    let (_, codes_of) = bought(&app, &admin, &s, 1).await;
    let app = std::sync::Arc::new(app);
    let mut scans = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, admin, code) = (app.clone(), admin.clone(), codes_of[0].clone());
        scans.spawn(async move {
            app.graphql_as(Some(&admin), SCAN, json!({ "c": code }))
                .await
        });
    }
    let (mut admitted, mut refused, mut first_used) = (0, 0, Vec::new());
    while let Some(done) = scans.join_next().await {
        let (status, body) = done.expect("task");
        assert_eq!(status, 200);
        let r = &body["data"]["checkInTicket"];
        match r["admitted"].as_bool() {
            Some(true) => admitted += 1,
            Some(false) => refused += 1,
            None => panic!("{body}"),
        }
        first_used.push(r["firstUsedAt"].as_str().expect("time").to_owned());
    }
    assert_eq!((admitted, refused), (1, 49));
    first_used.dedup();
    assert_eq!(first_used.len(), 1, "every scan reports the same first use");
}

#[tokio::test]
async fn a_ticket_of_astana_is_unknown_at_an_almaty_door() {
    let (t, app, _) = seeded().await;
    let astana_admin = app.login("admin@astana.soi.test").await;
    let s = show(&t, "astana", 20, &[("Parterre", 300_000, 10)], false).await;
    let (_, codes_of) = bought(&app, &astana_admin, &s, 1).await;
    let almaty_admin = app.login("admin@almaty.soi.test").await;
    let (_, body) = app
        .graphql_as(Some(&almaty_admin), SCAN, json!({ "c": codes_of[0] }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    let unused = count(
        &t,
        "select count(*) from tickets where ticket_type_id = $1 and checked_in_at is null",
        &s.types[0],
    )
    .await;
    assert_eq!(unused, 1, "the Astana ticket stays unused");
    let (_, body) = app
        .graphql_as(Some(&almaty_admin), SALES, json!({ "e": s.event }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"]);
}

#[tokio::test]
async fn a_badly_signed_notification_stores_nothing() {
    let (t, app, _) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], false).await;
    let (order, total) = reserved(&reserve(&app, &s, &[(s.types[0].as_str(), 1)]).await.1);
    let note = json!({ "transactionId": "kaspi-0001", "orderId": order, "amountTiyn": total, "status": "paid" });
    let forged = signature(br#"{"something":"else"}"#);
    // Signed right but long ago: a captured notification replayed later.
    let raw = serde_json::to_vec(&note).expect("json");
    let stale = signature_at(&raw, chrono::Utc::now().timestamp() - 3600);
    let hex = signature(&raw).split_once("v1=").expect("v1").1.to_owned();
    for sig in [
        None,
        Some("sha256=00"),
        Some(forged.as_str()),
        Some("md5=abc"),
        Some(stale.as_str()),
        Some(&format!("sha256={hex}")),
    ] {
        let (status, _) = notify(&app, "almaty", &note, sig).await;
        assert_eq!(status, 401, "{sig:?}");
    }
    assert_eq!(count(&t, PAYMENTS_OF_ORDER, &order).await, 0);
    assert_eq!(count(&t, LEDGER_OF_ORDER, &order).await, 0);
}

#[tokio::test]
async fn the_same_notification_three_times_pays_once() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, 10)], false).await;
    let (order, total) = reserved(&reserve(&app, &s, &[(s.types[0].as_str(), 2)]).await.1);
    let note = json!({ "transactionId": "kaspi-0002", "orderId": order, "amountTiyn": total, "status": "paid" });
    let sig = signature(&serde_json::to_vec(&note).expect("json"));
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (status, body) = notify(&app, "almaty", &note, Some(&sig)).await;
        assert_eq!(status, 200, "{body}");
        answers.push(body);
    }
    assert_eq!(answers[0]["duplicate"], false);
    assert!(
        answers[1..]
            .iter()
            .all(|a| a["duplicate"] == true && a["paymentId"] == answers[0]["paymentId"])
    );
    assert_eq!(count(&t, PAYMENTS_OF_ORDER, &order).await, 1);
    assert_eq!(count(&t, LEDGER_OF_ORDER, &order).await, 1);
    assert_eq!(
        count(
            &t,
            "select count(*) from tickets where order_id = $1",
            &order
        )
        .await,
        2
    );
    assert_eq!(sales(&app, &admin, &s.event).await["sold"], 2);

    // Another transaction for the paid order, a wrong amount, unknown city or order.
    let signed = |v: &Value| (v.clone(), signature(&serde_json::to_vec(v).expect("json")));
    let (other, sig) = signed(
        &json!({ "transactionId": "kaspi-0003", "orderId": order, "amountTiyn": total, "status": "paid" }),
    );
    assert_eq!(notify(&app, "almaty", &other, Some(&sig)).await.0, 409);
    let (fresh, _) = reserved(&reserve(&app, &s, &[(s.types[0].as_str(), 1)]).await.1);
    let (wrong, sig) = signed(
        &json!({ "transactionId": "kaspi-0004", "orderId": fresh, "amountTiyn": 1, "status": "paid" }),
    );
    assert_eq!(notify(&app, "almaty", &wrong, Some(&sig)).await.0, 422);
    let (right, sig) = signed(
        &json!({ "transactionId": "kaspi-0004", "orderId": fresh, "amountTiyn": 500_000, "status": "paid" }),
    );
    assert_eq!(notify(&app, "nowhere", &right, Some(&sig)).await.0, 404);
    assert_eq!(notify(&app, "astana", &right, Some(&sig)).await.0, 404);
    assert_eq!(count(&t, PAYMENTS_OF_ORDER, &fresh).await, 0);
    assert_eq!(notify(&app, "almaty", &right, Some(&sig)).await.0, 200);
}

const SET_QUOTA: &str =
    "mutation($id: ID!, $q: Int!) { setTicketQuota(id: $id, quota: $q) { quota remaining } }";
const BUCKETS: &str = "select count(*) from ticket_seat_buckets where ticket_type_id = $1";
const FULL_BUCKETS: &str =
    "select count(*) from ticket_seat_buckets where ticket_type_id = $1 and taken = quota";

/// A type's quota is split into seat buckets (100 seats: 4 of 25). Orders
/// that each fit a bucket spread over them; an order no single bucket has
/// room for still gets the last seats, from several; seats given back and a
/// new quota keep the books whole.
#[tokio::test]
async fn the_last_seats_sell_from_several_buckets_and_come_back_to_them() {
    let (t, app, admin) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Stalls", 100_000, 100)], false).await;
    let a = s.types[0].as_str();
    assert_eq!(count(&t, BUCKETS, a).await, 4);
    for _ in 0..4 {
        reserved(&reserve(&app, &s, &[(a, 20)]).await.1);
    }
    // Each 20 went to a bucket with room for it: 5 left in each of the four.
    assert_eq!(count(&t, FULL_BUCKETS, a).await, 0);
    assert_eq!(count(&t, TAKEN, a).await, 80);
    // No bucket has room for 20, the type has: all 20 are sold.
    let last = reserved(&reserve(&app, &s, &[(a, 20)]).await.1).0;
    assert_eq!(count(&t, TAKEN, a).await, 100);
    assert_eq!(count(&t, FULL_BUCKETS, a).await, 4);
    let (_, body) = reserve(&app, &s, &[(a, 1)]).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    assert_eq!(body["errors"][0]["message"], "sold out: Stalls", "{body}");

    // The order spread over four buckets gives its 20 seats back.
    let (_, body) = app
        .graphql_as(Some(&admin), CANCEL, json!({ "o": last }))
        .await;
    assert_eq!(body["data"]["cancelHold"]["status"], "CANCELLED", "{body}");
    assert_eq!(count(&t, TAKEN, a).await, 80);

    // A smaller quota is split anew (85 seats: 3 buckets) with the 80 taken.
    let (_, body) = app
        .graphql_as(Some(&admin), SET_QUOTA, json!({ "id": a, "q": 85 }))
        .await;
    assert_eq!(
        body["data"]["setTicketQuota"],
        json!({ "quota": 85, "remaining": 5 }),
        "{body}"
    );
    assert_eq!(count(&t, BUCKETS, a).await, 3);
    assert_eq!(count(&t, TAKEN, a).await, 80);
    let (_, body) = reserve(&app, &s, &[(a, 6)]).await;
    assert_eq!(
        body["errors"][0]["message"], "sold out: Stalls (only 5 left)",
        "{body}"
    );
    reserved(&reserve(&app, &s, &[(a, 5)]).await.1);
    assert_eq!(count(&t, TAKEN, a).await, 85);
    let (_, body) = app
        .graphql_as(Some(&admin), SET_QUOTA, json!({ "id": a, "q": 84 }))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    assert_eq!(count(&t, TAKEN, a).await, 85);
    assert_eq!(count(&t, BUCKETS, a).await, 3);
    // The sales figures read the same books.
    let figures = sales(&app, &admin, &s.event).await;
    assert_eq!(
        (figures["held"].clone(), figures["remaining"].clone()),
        (json!(85), json!(0))
    );
}

/// Step 3 decides alone: a lapsed hold that another transaction is closing
/// (locked, so the reservation skips it) still holds its seats, so a buyer
/// the first read let through is refused by the ordered pass over the
/// buckets, with what is really left; and an order of two types, each short
/// of a bucket with room, takes both from several buckets.
#[tokio::test]
async fn the_ordered_pass_refuses_with_what_is_left_and_serves_two_types_at_once() {
    let (t, app, _) = seeded().await;
    let s = show(&t, "almaty", 20, &[("Stalls", 100_000, 4)], false).await;
    let a = s.types[0].as_str();
    let (held, _) = reserved(&reserve(&app, &s, &[(a, 4)]).await.1);
    lapse(&t, &s.event).await;
    // Another transaction is closing that hold: it is locked.
    let mut closer = t.raw().await;
    sqlx::query("begin")
        .execute(&mut closer)
        .await
        .expect("begin");
    sqlx::query("select id from ticket_orders where id = $1 for update")
        .bind(uuid::Uuid::parse_str(&held).expect("uuid"))
        .execute(&mut closer)
        .await
        .expect("lock");
    let (_, body) = reserve(&app, &s, &[(a, 2)]).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    assert_eq!(body["errors"][0]["message"], "sold out: Stalls", "{body}");
    sqlx::query("rollback")
        .execute(&mut closer)
        .await
        .expect("rollback");
    assert_eq!(count(&t, TAKEN, a).await, 4);
    // Released now, the lapsed seats go to the next buyer.
    reserved(&reserve(&app, &s, &[(a, 2)]).await.1);
    assert_eq!(count(&t, TAKEN, a).await, 2);

    let two = show(
        &t,
        "almaty",
        20,
        &[("Parterre", 100_000, 100), ("Balcony", 50_000, 100)],
        false,
    )
    .await;
    let (p, b) = (two.types[0].as_str(), two.types[1].as_str());
    for _ in 0..4 {
        reserved(&reserve(&app, &two, &[(p, 19)]).await.1);
        reserved(&reserve(&app, &two, &[(b, 19)]).await.1);
    }
    // 6 left in each of four buckets per type: 10 + 10 need several each.
    reserved(&reserve(&app, &two, &[(b, 10), (p, 10)]).await.1);
    assert_eq!(count(&t, TAKEN, p).await, 86);
    assert_eq!(count(&t, TAKEN, b).await, 86);
    let (_, body) = reserve(&app, &two, &[(p, 4), (b, 15)]).await;
    assert_eq!(
        body["errors"][0]["message"], "sold out: Balcony (only 14 left)",
        "{body}"
    );
    assert_eq!(count(&t, TAKEN, p).await, 86);
}
