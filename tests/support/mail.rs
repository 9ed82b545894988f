//! Mail in tests: the SMTP sink (deploy/smtp_sink.py), what it received for a
//! recipient, and a mail worker running in the test. Tests may share one sink
//! (the one `deploy/dev test` starts at SMTP_URL), so every test writes to
//! addresses of its own ([`address`]) and reads only those.

use crate::TestDb;
use soi_mail::{Stats, Worker, WorkerConfig};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A fresh address nobody else uses; `tag` may name a fault of the sink
/// (`reject`, `tempfail2`, `tempdata1`, `slow2`, …) or be empty.
pub fn address(tag: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    if tag.is_empty() {
        format!("m{id}@mail.soi.test")
    } else {
        format!("{tag}+{id}@mail.soi.test")
    }
}

/// An SMTP sink: shared (found at SMTP_URL) or started by this test.
pub struct Sink {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    owns_dir: bool,
}

impl Sink {
    /// The sink at SMTP_URL (default 127.0.0.1:2525) when it answers, else a
    /// private one.
    pub fn shared() -> Self {
        let url = std::env::var("SMTP_URL").unwrap_or_else(|_| "smtp://127.0.0.1:2525".into());
        let host_port = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .split(['/', '?'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some((port, dir)) = greeting(&host_port) {
            return Self {
                port,
                dir,
                child: None,
                owns_dir: false,
            };
        }
        Self::private()
    }

    /// A sink of this test's own on a free port, with its own directory.
    pub fn private() -> Self {
        let dir = std::env::temp_dir().join(format!("soi-mail-{}", uuid::Uuid::new_v4().simple()));
        let mut sink = Self::start(0, &dir);
        sink.owns_dir = true;
        sink
    }

    /// A sink on `port` keeping its mail in `dir` (to bring one back).
    pub fn start(port: u16, dir: &Path) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/smtp_sink.py");
        let local = concat!(env!("CARGO_MANIFEST_DIR"), "/../.local/python");
        let python = std::env::var("SMTP_PYTHON").unwrap_or_else(|_| "python3".into());
        let path = match std::env::var("PYTHONPATH") {
            Ok(p) if !p.is_empty() => format!("{local}:{p}"),
            _ => local.to_owned(),
        };
        let mut child = Command::new(&python)
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .env("PYTHONPATH", path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        // "ready 127.0.0.1:<port> <dir>"
        let Some(port) = line
            .split_whitespace()
            .nth(1)
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the SMTP sink did not start (is aiosmtpd installed? `deploy/dev test` installs it into .local/python); it said: {line:?}"
            );
        };
        Self {
            port,
            dir: dir.to_owned(),
            child: Some(child),
            owns_dir: false,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops a sink this test started (by its process id); a shared one stays.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// What the sink stored for `recipient`, oldest first.
    pub fn received(&self, recipient: &str) -> Vec<Received> {
        let folder = self.dir.join(recipient.to_lowercase());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files.iter().map(|f| Received::read(f)).collect()
    }

    /// Waits until `recipient` has at least `count` messages.
    pub async fn wait_for(&self, recipient: &str, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received(recipient);
            if got.len() >= count {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{recipient}: {} of {count} messages after {within:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The port and mail directory of our sink at `host:port`, from its greeting.
fn greeting(host_port: &str) -> Option<(u16, PathBuf)> {
    use std::io::{Read, Write};
    let addr = std::net::ToSocketAddrs::to_socket_addrs(host_port)
        .ok()?
        .next()?;
    let mut conn = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    let mut buf = [0u8; 512];
    let n = conn.read(&mut buf).ok()?;
    let _ = conn.write_all(b"QUIT\r\n");
    let line = String::from_utf8_lossy(&buf[..n]);
    let dir = line
        .lines()
        .next()?
        .split_once(" soi-smtp-sink dir=")?
        .1
        .trim();
    Some((addr.port(), PathBuf::from(dir)))
}

/// One stored message, parsed.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub to: String,
    pub from: String,
    pub subject: String,
    /// As sent, angle brackets included.
    pub message_id: String,
    pub content_language: String,
    pub text: String,
    pub html: String,
}

impl Received {
    fn read(file: &Path) -> Self {
        let bytes = std::fs::read(file).expect("read a stored message");
        let m = mail_parser::MessageParser::default()
            .parse(&bytes)
            .unwrap_or_else(|| panic!("{} is not a message", file.display()));
        let first = |a: Option<&mail_parser::Address>| {
            a.and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            raw: String::from_utf8_lossy(&bytes).into_owned(),
            to: first(m.to()),
            from: first(m.from()),
            subject: m.subject().unwrap_or_default().to_owned(),
            message_id: m
                .header_raw("Message-ID")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            content_language: m
                .header_raw("Content-Language")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            text: m.body_text(0).unwrap_or_default().into_owned(),
            html: m.body_html(0).unwrap_or_default().into_owned(),
        }
    }

    /// Whether it carries both a plain-text and an HTML part.
    pub fn has_both_parts(&self) -> bool {
        let raw = self.raw.to_ascii_lowercase();
        raw.contains("multipart/alternative")
            && raw.contains("content-type: text/plain")
            && raw.contains("content-type: text/html")
    }
}

/// A payload `application_received` renders.
pub fn payload() -> serde_json::Value {
    serde_json::json!({ "first_name": "Dana", "season_title": "SOI 2027",
                        "applied_at": "2026-11-25T12:00:00Z", "status": "applied" })
}

/// Enqueues one `application_received` per recipient, in one transaction.
pub async fn enqueue(db: &soi_db::Db, city: soi_core::CityId, recipients: &[String]) {
    let mut tx = crate::tenant(db, city).await;
    for r in recipients {
        let added = soi_db::mail::outbox::enqueue(
            &mut tx,
            "application_received",
            &format!("test:{r}"),
            r,
            soi_core::Language::En,
            &payload(),
        )
        .await
        .expect("enqueue");
        assert!(added);
    }
    tx.commit().await.expect("commit");
}

/// Waits (at most 30 s) until every message to `recipients` is in `status`.
pub async fn wait_status(t: &TestDb, recipients: &[String], status: &str) {
    const WAIT: Duration = Duration::from_secs(30);
    let mut conn = t.raw().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left: i64 = sqlx::query_scalar(
            "select count(*) from outbox where recipient_email = any($1) and status <> $2",
        )
        .bind(recipients)
        .bind(status)
        .fetch_one(&mut conn)
        .await
        .expect("count");
        if left == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{left} not {status} after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Worker settings for tests: retries within a fraction of a second, a sweep
/// every second, and leases long enough that no claim lapses by accident.
pub fn quick_config(smtp_url: &str) -> WorkerConfig {
    let mut cfg = WorkerConfig::new(smtp_url.to_owned().into());
    cfg.batch = 10;
    cfg.concurrency = 4;
    cfg.max_attempts = 5;
    cfg.backoff_base = Duration::from_millis(50);
    cfg.backoff_max = Duration::from_millis(400);
    cfg.sweep_every = Duration::from_secs(1);
    cfg.smtp_timeout = Duration::from_secs(5);
    cfg.lease = Duration::from_secs(60);
    // Opens the links the test gateway seals (invitations, resets).
    cfg.sealer = Some(soi_auth::Sealer::new(
        &crate::TEST_JWT_SECRET.to_owned().into(),
    ));
    cfg
}

/// A mail worker running inside the test, on its own pool.
pub struct RunningWorker {
    pub id: String,
    pub stats: Arc<Stats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl RunningWorker {
    pub async fn start(t: &TestDb, cfg: WorkerConfig) -> Self {
        let mut db_cfg = t.config();
        db_cfg.max_connections = 6;
        let db = soi_db::Db::connect(&db_cfg).await.expect("worker pool");
        let worker = Worker::new(db, db_cfg, cfg).expect("worker");
        let (id, stats) = (worker.id().to_owned(), worker.stats());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        }));
        Self {
            id,
            stats,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Asks it to stop and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("worker task").expect("worker");
        }
    }
}

impl Drop for RunningWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
