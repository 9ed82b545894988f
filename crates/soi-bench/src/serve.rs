//! Gateways the benches load: a real `soi serve` process (the `soi` binary
//! next to this one, or a given one) or the gateway inside the bench process
//! ([`app::Gateway`]). `soi-bench ticket-rush` and `soi-bench gateway-load`
//! start them here.

use crate::app;
use anyhow::{Context, Result, bail, ensure};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::{Child, Command};

/// A gateway: a child process, or a task of this one.
pub(crate) enum Gateway {
    Process(Child, SocketAddr),
    InProcess(app::Gateway),
}

impl Gateway {
    pub(crate) fn addr(&self) -> SocketAddr {
        match self {
            Gateway::Process(_, a) => *a,
            Gateway::InProcess(g) => g.addr,
        }
    }

    /// The process id of a `soi serve` gateway (none for one in this process).
    pub(crate) fn pid(&self) -> Option<u32> {
        match self {
            Gateway::Process(child, _) => child.id(),
            Gateway::InProcess(_) => None,
        }
    }

    pub(crate) async fn stop(self) {
        match self {
            Gateway::Process(mut child, _) => {
                // SIGTERM: `soi serve` finishes what is in flight and exits.
                if let Some(pid) = child.id() {
                    let _ = Command::new("kill")
                        .arg("-TERM")
                        .arg(pid.to_string())
                        .status()
                        .await;
                }
                if tokio::time::timeout(Duration::from_secs(20), child.wait())
                    .await
                    .is_err()
                {
                    let _ = child.kill().await;
                }
            }
            Gateway::InProcess(g) => g.stop().await,
        }
    }
}

/// The `soi` binary: the one given, else `soi` next to this program.
pub(crate) fn soi_bin(given: Option<&PathBuf>) -> Result<PathBuf> {
    let bin = match given {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("soi"),
    };
    ensure!(
        bin.exists(),
        "{} not found: `cargo build --release -p soi-cli`, or pass --soi-bin or --in-process",
        bin.display()
    );
    Ok(bin)
}

/// A port of 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(listener.local_addr()?.port())
}

/// How to start one `soi serve`.
pub(crate) struct Serve<'a> {
    pub(crate) bin: &'a Path,
    /// The runtime database.
    pub(crate) url: &'a str,
    /// The process's Redis keys go under this prefix (the run's own, so no
    /// cached city of an earlier database is served and the keys can be
    /// deleted afterwards with [`forget_redis`]).
    pub(crate) redis_prefix: &'a str,
    pub(crate) jwt_secret: &'a str,
    /// `SOI_DB_MAX_CONNECTIONS` and `SOI_DB_MIN_CONNECTIONS`.
    pub(crate) pool: u32,
    pub(crate) min_pool: u32,
    /// More environment (e.g. where traces go).
    pub(crate) env: Vec<(&'static str, String)>,
}

impl Serve<'_> {
    /// Starts `soi serve` on 127.0.0.1:`port` and waits until it is ready.
    /// Rate limits are off: every request of a bench comes from 127.0.0.1,
    /// and the benches measure the gateway, not the limiter.
    pub(crate) async fn spawn(&self, port: u16) -> Result<Gateway> {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let child = Command::new(self.bin)
            .arg("serve")
            .env("DATABASE_URL", self.url)
            .env_remove("SOI_OWNER_DATABASE_URL")
            .env("SOI_REDIS_PREFIX", self.redis_prefix)
            .env("SOI_RATE_LIMITS", "off")
            .env("SOI_LISTEN", addr.to_string())
            .env("SOI_JWT_SECRET", self.jwt_secret)
            .env("SOI_DB_MAX_CONNECTIONS", self.pool.to_string())
            .env("SOI_DB_MIN_CONNECTIONS", self.min_pool.to_string())
            .env("RUST_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", self.bin.display()))?;
        let client = reqwest::Client::new();
        let ready = format!("http://{addr}/readyz");
        for _ in 0..300 {
            if let Ok(r) = client.get(&ready).send().await
                && r.status().is_success()
            {
                return Ok(Gateway::Process(child, addr));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("`soi serve` on {addr} was not ready within 30 s")
    }
}

/// Deletes the Redis keys `soi serve` processes left under `prefix` (Redis
/// may not run at all: they then ran without it).
pub(crate) async fn forget_redis(prefix: &str) {
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let _ = soi_cache::delete_prefixed(&redis, prefix).await;
}
