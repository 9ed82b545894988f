//! `soi-bench`: benchmarks that print figures. They create their own
//! database on the server given by `SOI_BENCH_DATABASE_URL` (default: the
//! local server), fill it with the scale seed, measure and drop it.
//!
//! `soi-bench tenant-tx` — the cost of a tenant transaction (begin + set the
//! city + one indexed read of a partitioned table + commit) against the same
//! read through the owner's connection (a superuser locally, bypassing RLS),
//! at each number of launched cities given.
//!
//! `soi-bench gateway-load` — the GraphQL gateway under `wrk` against the
//! same SQL under `pgbench` (see `gateway.rs`).
//!
//! `soi-bench mail` — emails from the outbox to a local SMTP sink (see `mail.rs`).
//!
//! `soi-bench ticket-rush` — 2,000 buyers reserve 500 seats through two
//! `soi serve` processes (see `tickets.rs`).
//!
//! `soi-bench reports` — national and city reports over the rollups, cold
//! and cached in Redis, and a chapter admin's queries at 5 vs 200 cities
//! (see `reports.rs`).

mod gateway;
mod mail;
mod reports;
mod tickets;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use soi_core::{CityScope, SystemCtx};
use soi_db::{Db, DbConfig, SystemDb, admin, bench};
use soi_seed::scale::ScaleSpec;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "soi-bench",
    about = "Benchmarks of the SOI platform that print figures"
)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Tenant transaction vs. owner read, at several numbers of cities.
    TenantTx {
        /// Numbers of launched cities to measure at, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "5,200")]
        cities: Vec<u32>,
        /// Measured transactions per mode (after a warm-up of a tenth as many).
        #[arg(long, default_value_t = 5000)]
        iterations: usize,
        /// Participants per city in the generated data.
        #[arg(long, default_value_t = 100)]
        participants: u32,
        /// Sessions per group in the generated data.
        #[arg(long, default_value_t = 10)]
        sessions: u32,
    },
    /// The gateway under wrk, against the same statements under pgbench.
    GatewayLoad(gateway::Args),
    /// Buyers rush a show's seats through two gateway processes.
    TicketRush(tickets::Args),
    /// Emails from the outbox to a local SMTP sink, in messages per second.
    Mail(mail::Args),
    /// National and city reports, cold and cached, at several numbers of cities.
    Reports(reports::Args),
}

fn server_url() -> String {
    std::env::var("SOI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn database_url(server: &str, name: &str) -> Result<String> {
    let (base, _) = server
        .rsplit_once('/')
        .context("SOI_BENCH_DATABASE_URL needs a /database part")?;
    Ok(format!("{base}/{name}"))
}

struct Figures {
    mean: Duration,
    p50: Duration,
    p99: Duration,
    per_second: f64,
}

fn figures(mut samples: Vec<Duration>, wall: Duration) -> Figures {
    samples.sort();
    let n = samples.len().max(1);
    let pick = |q: f64| {
        samples
            .get(((n as f64 * q) as usize).min(n - 1))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        mean: samples.iter().sum::<Duration>() / n as u32,
        p50: pick(0.50),
        p99: pick(0.99),
        per_second: n as f64 / wall.as_secs_f64(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().bench {
        Bench::TenantTx {
            cities,
            iterations,
            participants,
            sessions,
        } => tenant_tx(cities, iterations, participants, sessions).await,
        Bench::GatewayLoad(args) => gateway::run(args).await,
        Bench::TicketRush(args) => tickets::run(args).await,
        Bench::Mail(args) => mail::run(args).await,
        Bench::Reports(args) => reports::run(args).await,
    }
}

async fn tenant_tx(
    cities: Vec<u32>,
    iterations: usize,
    participants: u32,
    sessions: u32,
) -> Result<()> {
    if cities.is_empty() || iterations == 0 {
        bail!("give at least one number of cities and one iteration");
    }
    let server = server_url();
    println!(
        "# soi-bench tenant-tx --cities {} --iterations {iterations} --participants {participants} --sessions {sessions}",
        cities
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    println!("| cities | mode | mean ms | p50 ms | p99 ms | tx/s | ratio p50 |");
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for &n in &cities {
        let name = format!("soi_bench_tenant_{n}");
        admin::recreate_database(&server, &name, None).await?;
        let outcome = run_at(
            &database_url(&server, &name)?,
            n,
            iterations,
            participants,
            sessions,
        )
        .await;
        admin::drop_database(&server, &name).await?;
        let (tenant, owner) = outcome?;
        let ratio = tenant.p50.as_secs_f64() / owner.p50.as_secs_f64();
        for (mode, f) in [
            ("owner (superuser, no RLS)", &owner),
            ("tenant tx (soi_app, RLS)", &tenant),
        ] {
            println!(
                "| {n} | {mode} | {} | {} | {} | {:.0} | {} |",
                ms(f.mean),
                ms(f.p50),
                ms(f.p99),
                f.per_second,
                if mode.starts_with("tenant") {
                    format!("{ratio:.2}")
                } else {
                    "1.00".into()
                }
            );
        }
    }
    Ok(())
}

async fn run_at(
    url: &str,
    cities: u32,
    iterations: usize,
    participants: u32,
    sessions: u32,
) -> Result<(Figures, Figures)> {
    let mut cfg = DbConfig::new(url);
    cfg.max_connections = 1;
    cfg.min_connections = 1;
    let sys = SystemDb::connect(&cfg).await?;
    sys.migrate(&SystemCtx::new("bench")).await?;
    let db = Db::connect(&cfg).await?;
    let spec = ScaleSpec {
        cities,
        participants,
        sessions,
        seed: 1,
        concurrency: 2,
    };
    soi_seed::scale::run(&sys, &db, spec, false).await?;
    let all = sys.cities().await?;
    let ctx = SystemCtx::new("bench");
    // Reads spread over up to five cities, the same for both modes.
    let mut work: Vec<(CityScope, soi_core::EnrollmentId)> = Vec::new();
    for city in all.iter().take(5) {
        let scope = ctx.in_city(city.id);
        for id in bench::sample_enrollments(&db, &scope, 40).await? {
            work.push((scope, id));
        }
    }
    let warm = iterations / 10 + 1;
    let mut run_tenant = Vec::with_capacity(iterations);
    let mut run_owner = Vec::with_capacity(iterations);
    for i in 0..warm {
        let (scope, id) = &work[i % work.len()];
        bench::tenant_read(&db, scope, *id).await?;
        bench::owner_read(&sys, scope.city(), *id).await?;
    }
    let started = Instant::now();
    for i in 0..iterations {
        let (scope, id) = &work[i % work.len()];
        let t = Instant::now();
        bench::owner_read(&sys, scope.city(), *id).await?;
        run_owner.push(t.elapsed());
    }
    let owner_wall = started.elapsed();
    let started = Instant::now();
    for i in 0..iterations {
        let (scope, id) = &work[i % work.len()];
        let t = Instant::now();
        bench::tenant_read(&db, scope, *id).await?;
        run_tenant.push(t.elapsed());
    }
    let tenant_wall = started.elapsed();

    db.close().await;
    sys.close().await;
    Ok((
        figures(run_tenant, tenant_wall),
        figures(run_owner, owner_wall),
    ))
}
