//! The ticket rush: two gateways (independent pools and servers on one
//! database, as two processes would be) take 2,000 simultaneous
//! reservations for 500 seats. Exactly 500 are held, never more; every
//! refusal is a clean CONFLICT; no request fails with a server error, and
//! orders for two ticket types at once, in either order, never deadlock.
//! Each gateway reserves the requests waiting for the event together, and
//! each order is still audited as its own request.

use serde_json::{Value, json};
use soi_tests::shows::{RESERVE, count, show};
use soi_tests::{TestApp, codes};
use std::sync::Arc;
use tokio::sync::Semaphore;

const BUYERS: usize = 2_000;
const IN_FLIGHT: usize = 200;

/// A small deterministic generator (xorshift64*), so every run asks the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// Never undersold: a refusal says how many seats of the type were left
/// ("sold out: Parterre (only 3 left)"), counted over all the type's seat
/// buckets at that moment; it must be fewer than the order asked of that
/// type. Returns the offending (left, asked) pair, if any.
fn refused_with_room_enough(
    message: &str,
    items: &[Value],
    types: &[String],
) -> Option<(i64, i64)> {
    let rest = message.strip_prefix("sold out: ")?;
    let (name, left) = match rest.split_once(" (only ") {
        Some((name, tail)) => (name, tail.trim_end_matches(" left)").parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let id = &types[if name == "Parterre" { 0 } else { 1 }];
    let asked: i64 = items
        .iter()
        .filter(|i| i["ticketTypeId"] == json!(id))
        .map(|i| i["quantity"].as_i64().unwrap_or(0))
        .sum();
    (left >= asked).then_some((left, asked))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_sell_exactly_five_hundred_seats_to_two_thousand_buyers() {
    let (t, first) = TestApp::seeded().await;
    let second = TestApp::spawn(&t).await;
    let s = show(
        &t,
        "almaty",
        20,
        &[("Parterre", 500_000, 300), ("Balcony", 200_000, 200)],
        false,
    )
    .await;
    let gateways = [Arc::new(first), Arc::new(second)];
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut rng = Rng(0x5015_2026);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..BUYERS {
        // A third want Parterre, a third Balcony, a third both (listed in
        // either order); 1-4 seats in all.
        let q = 1 + rng.next(4) as i64;
        let (p, b) = (s.types[0].clone(), s.types[1].clone());
        let items = match rng.next(3) {
            0 => vec![(p, q)],
            1 => vec![(b, q)],
            _ if q == 1 => vec![(p, 1)],
            _ if rng.next(2) == 0 => vec![(p, 1), (b, q - 1)],
            _ => vec![(b, q - 1), (p, 1)],
        };
        let app = gateways[n % 2].clone();
        let (gate, city, event) = (gate.clone(), s.city.clone(), s.event.clone());
        tasks.spawn(async move {
            let _slot = gate.acquire_owned().await.expect("semaphore");
            let items: Vec<Value> = items
                .iter()
                .map(|(t, q)| json!({ "ticketTypeId": t, "quantity": q }))
                .collect();
            let wanted: i64 = items.iter().map(|i| i["quantity"].as_i64().unwrap_or(0)).sum();
            let vars = json!({ "c": city, "i": { "eventId": event, "buyerName": format!("Buyer {n}"),
                               "buyerEmail": format!("buyer{n}@mail.kz"), "language": "RU", "items": items } });
            // Each buyer from their own address, as through a load balancer.
            let client = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            let (status, body) = app.graphql_from(&client, RESERVE, vars).await;
            (status, body, wanted, items)
        });
    }
    let (mut held, mut sold_out, mut orders) = (0i64, 0, 0);
    while let Some(done) = tasks.join_next().await {
        let (status, body, wanted, items) = done.expect("task");
        assert!(status < 500, "HTTP {status}: {body}");
        if body["data"]["reserveTickets"]["orderId"].is_string() {
            held += wanted;
            orders += 1;
        } else {
            assert_eq!(codes(&body), ["CONFLICT"], "{body}");
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.starts_with("sold out: "), "{message}");
            assert!(
                refused_with_room_enough(message, &items, &s.types).is_none(),
                "refused while the type had room for the order: {message} ({items:?})"
            );
            sold_out += 1;
        }
    }
    assert_eq!(orders + sold_out, BUYERS);
    assert_eq!(held, 500, "seats held by the successful reservations");
    let taken = |i: usize| {
        count(
            &t,
            "select coalesce(sum(taken), 0)::bigint from ticket_seat_buckets where ticket_type_id = $1",
            &s.types[i],
        )
    };
    assert_eq!((taken(0).await, taken(1).await), (300, 200));
    let stored = count(
        &t,
        "select coalesce(sum(l.quantity), 0)::bigint from ticket_order_lines l \
         join ticket_orders o on o.city_id = l.city_id and o.id = l.order_id \
         where o.event_id = $1 and o.status = 'held'",
        &s.event,
    )
    .await;
    assert_eq!(stored, 500);
    // Made together (each gateway reserves what waits for the event in one
    // transaction), yet each order audited once, as its own request.
    let (audited, requests, transactions): (i64, i64, i64) = sqlx::query_as(
        "select count(*), count(distinct request_id), count(distinct xmin::text) from audit_log \
         where operation = 'reserveTickets' and target_ids->>'eventId' = $1",
    )
    .bind(&s.event)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("audit rows");
    assert_eq!((audited, requests), (orders as i64, orders as i64));
    assert!(
        transactions < orders as i64,
        "{transactions} transactions for {orders} orders"
    );
    let admin = gateways[0].login("admin@almaty.soi.test").await;
    let (_, body) = gateways[1]
        .graphql_as(
            Some(&admin),
            "query($e: ID!) { eventSales(eventId: $e) { held remaining } }",
            json!({ "e": s.event }),
        )
        .await;
    assert_eq!(
        body["data"]["eventSales"],
        json!({ "held": 500, "remaining": 0 }),
        "{body}"
    );
}
