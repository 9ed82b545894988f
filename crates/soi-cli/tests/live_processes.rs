//! Two real `soi serve` processes on one database and one Redis: a ticket
//! reservation made through the first reaches a `ticketSales` subscriber
//! connected to the second (through Redis pub/sub, faster than the
//! subscriber's own 5 s re-read), and an Astana admin's subscriber on the
//! second process hears nothing of it.

use serde_json::json;
use soi_tests::TestDb;
use soi_tests::shows::show;
use soi_tests::ws::{self, next};
use std::time::{Duration, Instant};
use support::children::Gateway;

mod support;

async fn serve(t: &TestDb) -> Gateway {
    support::children::serve(t, "soi serve", &[]).await
}

const SALES: &str = "subscription($e: ID!) { ticketSales(eventId: $e) { held remaining } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_through_one_process_reaches_a_subscriber_of_another() {
    let t = TestDb::new().await;
    soi_seed::demo::run(&t.system().await, &t.db().await, 1, &[])
        .await
        .expect("demo");
    let almaty_show = show(&t, "almaty", 20, &[("Parterre", 500_000, 50)], false).await;
    let astana_show = show(&t, "astana", 20, &[("Parterre", 400_000, 50)], false).await;
    let (first, second) = (serve(&t).await, serve(&t).await);

    let almaty = second.login("admin@almaty.soi.test").await;
    let astana = second.login("admin@astana.soi.test").await;
    let (mut watcher, ack) = ws::connect(second.addr, Some(&almaty)).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let initial = ws::subscribe(&mut watcher, "1", SALES, json!({ "e": almaty_show.event })).await;
    assert_eq!(
        initial["payload"]["data"]["ticketSales"]["held"], 0,
        "{initial}"
    );
    let (mut other, _) = ws::connect(second.addr, Some(&astana)).await;
    let theirs = ws::subscribe(&mut other, "1", SALES, json!({ "e": astana_show.event })).await;
    assert_eq!(
        theirs["payload"]["data"]["ticketSales"]["held"], 0,
        "{theirs}"
    );

    let sold_at = Instant::now();
    let body = first
        .graphql(
        None,
        "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId } }",
        json!({ "c": "almaty", "i": { "eventId": almaty_show.event, "buyerName": "Buyer", "buyerEmail": "b@mail.kz",
                 "language": "RU", "items": [{ "ticketTypeId": almaty_show.types[0], "quantity": 2 }] } }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let update = next(&mut watcher, Duration::from_secs(10))
        .await
        .expect("an update from the other process");
    let took = sold_at.elapsed();
    assert_eq!(
        update["payload"]["data"]["ticketSales"]["held"], 2,
        "{update}"
    );
    assert!(
        took < Duration::from_millis(2500),
        "took {took:?}: not through pub/sub"
    );
    assert_eq!(next(&mut other, Duration::from_secs(6)).await, None);
}
