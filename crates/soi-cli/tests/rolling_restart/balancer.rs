//! A readiness-aware balancer, as a Kubernetes Service's endpoints are:
//! each gateway's `/readyz` is polled every 100 ms on a fresh connection,
//! and requests go round-robin to those whose last answer was 200. What
//! the polls saw is kept (changes only), so a test can tell the order in
//! which a gateway went: ready, draining (503), closed (refused).

use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const POLL_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Ready,
    Draining,
    Closed,
    Other,
}

pub struct Endpoint {
    pub name: String,
    pub addr: SocketAddr,
    ready: AtomicBool,
    retired: AtomicBool,
    /// Requests this balancer sent it.
    pub served: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
}

impl Endpoint {
    /// What its readiness polls saw, each change once.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }

    /// Whether it answered 503 "draining" before its port closed (and closed).
    pub fn drained_before_closing(&self) -> bool {
        let seen = self.seen();
        let draining = seen.iter().position(|s| *s == Seen::Draining);
        let closed = seen.iter().position(|s| *s == Seen::Closed);
        matches!((draining, closed), (Some(d), Some(c)) if d < c)
    }

    /// Waits until a poll has seen `state` (a bound, not a measure).
    pub async fn wait_for(&self, state: Seen, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.seen().contains(&state) {
            assert!(
                Instant::now() < deadline,
                "{}: never seen {state:?}: {:?}",
                self.name,
                self.seen()
            );
            tokio::time::sleep(POLL_EVERY / 2).await;
        }
    }

    fn record(&self, now: Seen) {
        self.ready.store(now == Seen::Ready, Ordering::SeqCst);
        let mut seen = self.seen.lock().expect("seen");
        if seen.last() != Some(&now) {
            seen.push(now);
        }
    }
}

#[derive(Clone, Default)]
pub struct Balancer {
    endpoints: Arc<Mutex<Vec<Arc<Endpoint>>>>,
    next: Arc<AtomicUsize>,
}

impl Balancer {
    /// Adds a gateway; it takes requests once a poll has found it ready,
    /// and is polled until [`Balancer::retire`].
    pub async fn add(&self, name: &str, addr: SocketAddr) -> Arc<Endpoint> {
        let endpoint = Arc::new(Endpoint {
            name: name.to_owned(),
            addr,
            ready: AtomicBool::new(false),
            retired: AtomicBool::new(false),
            served: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        });
        tokio::spawn(poll(endpoint.clone()));
        self.endpoints
            .lock()
            .expect("endpoints")
            .push(endpoint.clone());
        endpoint
            .wait_for(Seen::Ready, Duration::from_secs(30))
            .await;
        endpoint
    }

    /// Stops polling a gateway and forgets it.
    pub fn retire(&self, endpoint: &Endpoint) {
        endpoint.retired.store(true, Ordering::SeqCst);
        self.endpoints
            .lock()
            .expect("endpoints")
            .retain(|e| e.addr != endpoint.addr);
    }

    fn pick(&self) -> Option<Arc<Endpoint>> {
        let ready: Vec<Arc<Endpoint>> = self
            .endpoints
            .lock()
            .expect("endpoints")
            .iter()
            .filter(|e| e.ready.load(Ordering::SeqCst))
            .cloned()
            .collect();
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        ready.get(n % ready.len().max(1)).cloned()
    }

    /// POSTs a GraphQL request to a ready gateway (waiting while none is,
    /// as a client of a Service with no endpoints would); `Err` says what
    /// failed: no connection, a status other than 200, or GraphQL errors.
    pub async fn post(&self, http: &reqwest::Client, body: &Value) -> Result<Value, String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let endpoint = loop {
            if let Some(e) = self.pick() {
                break e;
            }
            if Instant::now() > deadline {
                return Err("no gateway was ready for 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        endpoint.served.fetch_add(1, Ordering::Relaxed);
        let name = &endpoint.name;
        let r = http
            .post(format!("http://{}/graphql", endpoint.addr))
            .json(body)
            .send()
            .await
            .map_err(|e| format!("{name}: {e:?}"))?;
        let status = r.status();
        let answer: Value = r
            .json()
            .await
            .map_err(|e| format!("{name}: HTTP {status}, body: {e:?}"))?;
        if status != reqwest::StatusCode::OK || !answer["errors"].is_null() {
            return Err(format!("{name}: HTTP {status}: {answer}"));
        }
        Ok(answer)
    }
}

/// Polls one gateway's readiness until it is retired; each poll on a new
/// connection, so a closed port shows as refused at once.
async fn poll(endpoint: Arc<Endpoint>) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let url = format!("http://{}/readyz", endpoint.addr);
    while !endpoint.retired.load(Ordering::SeqCst) {
        let now = match http.get(&url).send().await {
            Ok(r) if r.status() == reqwest::StatusCode::OK => Seen::Ready,
            Ok(r) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                let body: Value = r.json().await.unwrap_or_default();
                if body["status"] == "draining" {
                    Seen::Draining
                } else {
                    Seen::Other
                }
            }
            Err(e) if e.is_connect() => Seen::Closed,
            _ => Seen::Other,
        };
        endpoint.record(now);
        tokio::time::sleep(POLL_EVERY).await;
    }
}
