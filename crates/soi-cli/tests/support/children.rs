//! Long-running `soi` processes as these tests run them: `soi serve` on a
//! port of its own choosing (port 0, read back from what it prints) and
//! `soi worker`, each signalled and stopped by its own process id only,
//! and killed when dropped if it still runs.

use soi_tests::{TEST_JWT_SECRET, TestDb};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// An HTTP client whose every request ends within 30 s, so a test that
/// talks to a stuck process fails instead of hanging.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// A `soi` child process.
pub struct Child {
    pub name: String,
    child: std::process::Child,
    /// Kept open: a closed pipe would fail the child's next line.
    _stdout: BufReader<ChildStdout>,
}

impl Child {
    /// Starts `cmd` and waits (at most 60 s) for its first line on stdout.
    pub fn spawn(name: &str, mut cmd: Command) -> (Self, String) {
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = tx.send(line);
            stdout
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        if line.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} did not start");
        }
        let stdout = reader.join().expect("reader");
        let me = Self {
            name: name.to_owned(),
            child,
            _stdout: stdout,
        };
        (me, line.trim().to_owned())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (e.g. "TERM") to this process.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill");
        assert!(sent.success(), "{}: kill -{signal} failed", self.name);
    }

    /// SIGKILL, and reaped.
    pub fn kill_now(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Waits until it exits; killed (and the test failed) past `within`.
    pub async fn exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{} did not exit within {within:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A `soi serve` child, ready (its `/readyz` answered 200).
pub struct Gateway {
    pub process: Child,
    pub addr: SocketAddr,
}

impl Gateway {
    /// POSTs a GraphQL request, with a bearer token if given; the JSON answer.
    pub async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        let mut req = http()
            .post(format!("http://{}/graphql", self.addr))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("post").json().await.expect("json")
    }

    /// Signs in with the demo password; the access token.
    pub async fn login(&self, email: &str) -> String {
        let body = self
            .graphql(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                serde_json::json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
            )
            .await;
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    }
}

/// `soi serve` on `t` with the shared Redis (keys under the database's
/// name) and `env` on top; returns once it is ready.
pub async fn serve(t: &TestDb, name: &str, env: &[(&str, &str)]) -> Gateway {
    let mut cmd = super::soi_command(&t.url());
    cmd.arg("serve")
        .env("SOI_LISTEN", "127.0.0.1:0")
        .env("SOI_JWT_SECRET", TEST_JWT_SECRET)
        .env(
            "REDIS_URL",
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        )
        .env("SOI_REDIS_PREFIX", &t.name)
        .env("SOI_DB_MAX_CONNECTIONS", "6")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::inherit())
        .envs(env.iter().copied());
    let (process, line) = Child::spawn(name, cmd);
    // "SOI platform listening on http://<addr>/graphql"
    let addr: SocketAddr = line
        .rsplit("http://")
        .next()
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("{name} said {line:?}"));
    let http = http();
    let started = Instant::now();
    loop {
        let ready = http.get(format!("http://{addr}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Gateway { process, addr };
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name} did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `soi worker` on `t` sending through `smtp_url`, with short mail timings
/// and `env` on top; returns it and its id (from "mail worker <id> started").
pub fn worker(t: &TestDb, name: &str, smtp_url: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut cmd = super::soi_command(&t.url());
    cmd.arg("worker")
        .env("SOI_JWT_SECRET", TEST_JWT_SECRET)
        .env("SMTP_URL", smtp_url)
        .env("SOI_DB_MAX_CONNECTIONS", "6")
        .env("SOI_MAIL_BATCH", "4")
        .env("SOI_MAIL_CONCURRENCY", "4")
        .env("SOI_MAIL_SMTP_TIMEOUT_SECS", "3")
        .env("SOI_MAIL_LEASE_SECS", "4")
        .env("SOI_MAIL_SWEEP_SECS", "1")
        .env("SOI_MAIL_BACKOFF_BASE_MS", "100")
        .env("SOI_MAIL_BACKOFF_MAX_MS", "500")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::inherit())
        .envs(env.iter().copied());
    let (child, line) = Child::spawn(name, cmd);
    assert!(line.ends_with("started"), "{line:?}");
    let id = line
        .split_whitespace()
        .nth(2)
        .expect("worker id")
        .to_owned();
    (child, id)
}
