//! The real gateway on port 0 against a test database.

use crate::TestDb;
use serde_json::{Value, json};

/// The key test gateways sign tokens with.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The secret test gateways verify payment webhooks with.
pub const TEST_WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789";
use soi_server::{App, RedisSettings, Settings};
use std::net::SocketAddr;

/// Numbers the client addresses of test requests.
static CLIENTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(t: &TestDb) -> Self {
        let redis_url =
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        Self::spawn_with_redis(t, &redis_url).await
    }

    /// A gateway on the test database using the Redis at `redis_url`, built
    /// as `soi serve` builds it (no hold sweeper, no mail worker: tests run
    /// those themselves).
    pub async fn spawn_with_redis(t: &TestDb, redis_url: &str) -> Self {
        Self::spawn_with(t, redis_url, |_| {}).await
    }

    /// A gateway whose Redis never answers (nothing listens where it
    /// points), with settings adjusted by `tweak`: what must hold without Redis.
    pub async fn spawn_without_redis(t: &TestDb, tweak: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_with(t, "redis://127.0.0.1:1", |s| {
            if let Some(redis) = &mut s.redis {
                redis.connect_wait = std::time::Duration::ZERO;
            }
            tweak(s);
        })
        .await
    }

    /// [`Self::spawn_with_redis`] with settings adjusted by `tweak`.
    pub async fn spawn_with(
        t: &TestDb,
        redis_url: &str,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        // Keys of this test's database only: test databases share one Redis
        // and the same demo accounts, and must not share counters or caches.
        Self::spawn_on(t.config(), redis_url, &t.name, tweak).await
    }

    /// A gateway on any database (`db`), its Redis keys under `prefix`, with
    /// settings adjusted by `tweak`: for a database no [`TestDb`] made (a
    /// private PostgreSQL cluster).
    pub async fn spawn_on(
        db: soi_db::DbConfig,
        redis_url: &str,
        prefix: &str,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = Settings::new(db, TEST_JWT_SECRET.to_owned().into());
        // Connected before the first request, so counters start in Redis.
        settings.redis = Some(RedisSettings {
            url: redis_url.to_owned().into(),
            prefix: prefix.to_owned(),
            connect_wait: std::time::Duration::from_secs(5),
        });
        settings.payment_webhook_secret = Some(TEST_WEBHOOK_SECRET.to_owned().into());
        settings.unsubscribe = Some(crate::unsub::links());
        // The tests play a proxy on this host relaying many clients (their
        // addresses in X-Forwarded-For, see `graphql_as`).
        settings.trusted_proxies = soi_server::TrustedProxies::loopback();
        tweak(&mut settings);
        let app = App::build(settings).await.expect("test gateway");
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        Self {
            addr,
            http: reqwest::Client::new(),
            stop: Some(tx),
        }
    }

    /// A fresh database with the demo dataset (seed 1) and a gateway on it.
    pub async fn seeded() -> (TestDb, TestApp) {
        let t = TestDb::new().await;
        soi_seed::demo::run(&t.system().await, &t.db().await, 1, &[])
            .await
            .expect("demo");
        let app = TestApp::spawn(&t).await;
        (t, app)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text")
    }

    /// A label-free counter or gauge from `/metrics` (panics when absent, so
    /// a renamed metric fails the test instead of reading as zero).
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.metrics_text().await;
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in:\n{text}"))
    }

    /// POSTs a query; returns the status and the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> (u16, Value) {
        self.graphql_as(None, query, variables).await
    }

    /// Signs in with the demo password; returns the access token.
    pub async fn login(&self, email: &str) -> String {
        let (_, body) = self
            .graphql(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
            )
            .await;
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login {email}: {body}"))
            .to_owned()
    }

    /// POSTs a query anonymously as if from client address `client` (sent
    /// as `X-Forwarded-For`, which test gateways take from a loopback peer):
    /// many buyers or applicants at once, each with their own address.
    pub async fn graphql_from(&self, client: &str, query: &str, variables: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/graphql"))
            .header("x-forwarded-for", client)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }

    /// POSTs a query with a bearer token (or none).
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        // Each request from its own client address (sent as X-Forwarded-For):
        // tests are many users, not one flooding client. Per-address rate
        // limits are tested with `graphql_from`.
        let n = CLIENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let client = format!("10.254.{}.{}", (n >> 8) & 255, n & 255);
        let mut req = self
            .http
            .post(self.url("/graphql"))
            .header("x-forwarded-for", client)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// (code, field, reason) of a response's first error's extensions (empty
/// strings for what it lacks).
pub fn reason(body: &Value) -> (&str, &str, &str) {
    let e = &body["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or_default(),
        e["field"].as_str().unwrap_or_default(),
        e["reason"].as_str().unwrap_or_default(),
    )
}
