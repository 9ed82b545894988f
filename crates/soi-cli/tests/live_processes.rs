//! Two real `soi serve` processes on one database and one Redis: a ticket
//! reservation made through the first reaches a `ticketSales` subscriber
//! connected to the second (through Redis pub/sub, faster than the
//! subscriber's own 5 s re-read), and an Astana admin's subscriber on the
//! second process hears nothing of it.

use serde_json::{Value, json};
use soi_tests::shows::show;
use soi_tests::ws::{self, next};
use soi_tests::{TEST_JWT_SECRET, TestDb};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

mod support;

/// A `soi serve` child, stopped (by its PID) when dropped.
struct Gateway {
    child: Child,
    addr: std::net::SocketAddr,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

async fn serve(t: &TestDb) -> Gateway {
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let child = support::soi_command(&t.url())
        .arg("serve")
        .env("SOI_LISTEN", addr.to_string())
        .env("SOI_JWT_SECRET", TEST_JWT_SECRET)
        .env(
            "REDIS_URL",
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        )
        .env("SOI_REDIS_PREFIX", &t.name)
        .env("SOI_DB_MAX_CONNECTIONS", "6")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run soi serve");
    let gateway = Gateway { child, addr };
    let started = Instant::now();
    let http = reqwest::Client::new();
    loop {
        let ready = http
            .get(format!("http://{addr}/readyz"))
            .send()
            .await
            .ok()
            .map(|r| r.status().is_success());
        if ready == Some(true) {
            return gateway;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "soi serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn graphql(g: &Gateway, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("http://{}/graphql", g.addr))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("post").json().await.expect("json")
}

async fn login(g: &Gateway, email: &str) -> String {
    let body = graphql(
        g,
        None,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
    )
    .await;
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
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

    let almaty = login(&second, "admin@almaty.soi.test").await;
    let astana = login(&second, "admin@astana.soi.test").await;
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
    let body = graphql(
        &first,
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
