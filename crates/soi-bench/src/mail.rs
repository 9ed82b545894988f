//! `soi-bench mail`: N emails from the outbox to a local SMTP sink. It makes
//! a fresh database with some cities, starts `deploy/smtp_sink.py` on a free
//! port, enqueues the messages (spread over the cities, in transactions of
//! `--per-tx`), then runs one in-process mail worker until all are sent and
//! prints enqueue and delivery rates. Everything it started is stopped.

use crate::scratch::Scratch;
use anyhow::{Context, Result, ensure};
use clap::Args as ClapArgs;
use soi_core::{CityZone, Language, Slug, SystemCtx};
use soi_db::cities::NewCity;
use soi_db::mail::outbox;
use soi_mail::{Worker, WorkerConfig};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const DB_NAME: &str = "soi_bench_mail";

#[derive(ClapArgs)]
pub struct Args {
    /// Emails to send.
    #[arg(long, default_value_t = 2000)]
    messages: usize,
    /// Cities the emails are spread over.
    #[arg(long, default_value_t = 5)]
    cities: usize,
    /// Emails enqueued per transaction.
    #[arg(long, default_value_t = 1)]
    per_tx: usize,
    /// The worker's batch (`SOI_MAIL_BATCH`); the shipped default unless given.
    #[arg(long, default_value_t = shipped().batch)]
    batch: u32,
    /// The worker's sends at once (`SOI_MAIL_CONCURRENCY`); the shipped
    /// default unless given.
    #[arg(long, default_value_t = shipped().concurrency)]
    concurrency: u32,
}

/// The worker's settings as `soi worker` ships them.
fn shipped() -> soi_mail::WorkerConfig {
    WorkerConfig::new("smtp://127.0.0.1:25".to_owned().into())
}

pub async fn run(args: Args) -> Result<()> {
    ensure!(
        args.messages > 0
            && args.cities > 0
            && args.per_tx > 0
            && args.batch > 0
            && args.concurrency > 0,
        "every number must be at least 1"
    );
    println!(
        "# soi-bench mail --messages {} --cities {} --per-tx {} --batch {} --concurrency {}",
        args.messages, args.cities, args.per_tx, args.batch, args.concurrency
    );
    let dir = std::env::temp_dir().join(format!("soi-bench-mail-{}", std::process::id()));
    let outcome = Scratch::with(DB_NAME, async |scratch| match Sink::start(&dir).await {
        Ok(mut sink) => {
            let outcome = measure(scratch, &sink.url(), &args).await;
            sink.stop().await;
            outcome.and_then(|()| {
                let stored = count_files(&dir);
                println!("sink stored {stored} messages");
                ensure!(
                    stored == args.messages,
                    "the sink stored {stored} of {}",
                    args.messages
                );
                Ok(())
            })
        }
        Err(e) => Err(e),
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn measure(scratch: &Scratch, smtp_url: &str, args: &Args) -> Result<()> {
    // The local default of kept connections (2), a pool for every send.
    let pools = scratch.pools(args.concurrency + 4, 2).await?;
    let (sys, db) = (&pools.sys, &pools.db);
    let mut cities = Vec::new();
    for i in 0..args.cities {
        let new = NewCity {
            slug: Slug::parse(&format!("mail-{i:03}"))?,
            name_kk: format!("Қала {i}"),
            name_ru: format!("Город {i}"),
            name_en: format!("Town {i}"),
            zone: CityZone::parse("Asia/Almaty")?,
            launched_on: chrono::Utc::now().date_naive(),
            position: None,
        };
        cities.push(
            sys.launch_city(&SystemCtx::new("bench"), &new)
                .await?
                .city
                .id,
        );
    }
    // Built first, so settings it refuses fail before any work.
    let mut mail = WorkerConfig::new(smtp_url.to_owned().into());
    mail.batch = args.batch;
    mail.concurrency = args.concurrency;
    let worker = Worker::new(db.clone(), pools.cfg.clone(), mail)?;
    let payload = serde_json::json!({ "first_name": "Dana", "season_title": "SOI 2027",
                                      "applied_at": "2026-11-25T12:00:00Z", "status": "applied" });
    let ctx = SystemCtx::new("bench");
    let started = Instant::now();
    let numbered: Vec<usize> = (0..args.messages).collect();
    for chunk in numbered.chunks(args.per_tx) {
        let city = cities[chunk[0] % cities.len()];
        let mut tx = db.tenant(&ctx.in_city(city)).await?;
        for n in chunk {
            let to = format!("bench{n}@mail.soi.test");
            let language = Language::ALL[n % 3];
            outbox::enqueue(
                &mut tx,
                "application_received",
                &format!("bench:{n}"),
                &to,
                language,
                &payload,
            )
            .await?;
        }
        tx.commit().await?;
    }
    let enqueued = started.elapsed();
    println!(
        "enqueued {} in {:.2}s: {:.0} messages/s",
        args.messages,
        enqueued.as_secs_f64(),
        args.messages as f64 / enqueued.as_secs_f64()
    );

    let stats = worker.stats();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let deadline = started + Duration::from_secs(600);
    while (stats.sent.load(Ordering::Relaxed) as usize) < args.messages {
        ensure!(Instant::now() < deadline, "not all sent in 10 minutes");
        ensure!(
            stats.parked.load(Ordering::Relaxed) == 0,
            "a message was parked"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivered = started.elapsed();
    let _ = stop.send(());
    task.await.context("worker task")??;
    println!(
        "delivered {} in {:.2}s: {:.0} messages/s (retries {})",
        args.messages,
        delivered.as_secs_f64(),
        args.messages as f64 / delivered.as_secs_f64(),
        stats.retried.load(Ordering::Relaxed)
    );
    pools.close().await;
    Ok(())
}

fn count_files(dir: &PathBuf) -> usize {
    std::fs::read_dir(dir)
        .map(|folders| {
            folders
                .filter_map(|f| f.ok())
                .filter_map(|f| std::fs::read_dir(f.path()).ok())
                .map(|files| {
                    files
                        .filter_map(|f| f.ok())
                        .filter(|f| f.path().extension().is_some_and(|x| x == "eml"))
                        .count()
                })
                .sum()
        })
        .unwrap_or(0)
}

/// `deploy/smtp_sink.py` on a free port, stopped by its process id.
struct Sink {
    child: tokio::process::Child,
    port: u16,
}

impl Sink {
    async fn start(dir: &PathBuf) -> Result<Self> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let python = std::env::var("SMTP_PYTHON").unwrap_or_else(|_| "python3".into());
        let path = match std::env::var("PYTHONPATH") {
            Ok(p) if !p.is_empty() => format!("{root}/.local/python:{p}"),
            _ => format!("{root}/.local/python"),
        };
        let mut child = tokio::process::Command::new(&python)
            .arg(format!("{root}/deploy/smtp_sink.py"))
            .args(["--port", "0", "--dir"])
            .arg(dir)
            .env("PYTHONPATH", path)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot run {python} deploy/smtp_sink.py"))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(20),
            tokio::io::BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .context("the SMTP sink did not start in time")??;
        // "ready 127.0.0.1:<port> <dir>"
        let port = line
            .split_whitespace()
            .nth(1)
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .with_context(|| {
                format!("the SMTP sink did not start (is aiosmtpd installed? deploy/dev test installs it): {line:?}")
            })?;
        Ok(Self { child, port })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }
}
