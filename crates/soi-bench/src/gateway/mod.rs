//! `soi-bench gateway-load` — the GraphQL gateway under `wrk`, against the
//! very same SQL under `pgbench`.
//!
//! Steps: a fresh database seeded with the scale dataset; a chapter-admin
//! account for one scale city; the gateway started in this process on
//! 127.0.0.1:0. Then, for each request shape:
//!
//! 1. Statement count. A first gateway runs with `log_statement = 'all'` set
//!    on the bench database (`ALTER DATABASE`, so only its connections log).
//!    One warm-up request, then one measured request; the server log lines of
//!    this database written during the measured request are read back with
//!    `pg_read_file` (superuser) and counted. They also give the exact SQL and
//!    parameters, from which the pgbench script is written. That gateway is
//!    stopped and the setting reset before anything is timed.
//! 2. `wrk -t2 -c<connections> -d<duration> --latency` against a second
//!    gateway (no statement logging), after a short warm-up run.
//! 3. `pgbench -M prepared` with the captured statements, one transaction
//!    after another as in the request, as `soi_app` (`PGOPTIONS='-c
//!    role=soi_app -c jit=off'`), same clients and duration.

use crate::app::{self, Gateway};
use crate::scratch::Scratch;
use crate::table::{Table, num, text};
use anyhow::{Context, Result, bail};
use serde_json::json;
use soi_core::{Email, Role};
use soi_db::auth::accounts::{self, NewAccount};
use sqlx::{Connection, Executor, PgConnection};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

pub(crate) mod server;
mod statements;
mod tools;
mod traces;

use server::*;
use statements::*;
use tools::*;

const DB_NAME: &str = "soi_bench_gateway";
const JWT_SECRET: &str = "soi-bench-gateway-load-secret-0123456789";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Launched scale cities.
    #[arg(long, default_value_t = 200)]
    cities: u32,
    /// Participants per city (groups of twenty).
    #[arg(long, default_value_t = 300)]
    participants: u32,
    /// Sessions per group, every one marked.
    #[arg(long, default_value_t = 20)]
    sessions: u32,
    /// Which scale city the chapter admin belongs to (1 = scale-0001).
    #[arg(long, default_value_t = 1)]
    city: u32,
    /// Concurrent connections of wrk and clients of pgbench.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Seconds of each measured run (wrk and pgbench alike).
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// Seconds of the warm-up run before each measured one (0: none).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// The gateway's pool size (`SOI_DB_MAX_CONNECTIONS`; its default is 16).
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// The server log file, as the PostgreSQL server sees it; default:
    /// `pg_current_logfile()`, else Debian's `/var/log/postgresql/postgresql-<major>-main.log`.
    #[arg(long)]
    pg_log: Option<String>,
    /// Trace every request, exporting the spans over OTLP/HTTP to a
    /// collector in this process (see `traces.rs`); off: no subscriber.
    #[arg(long)]
    traces: bool,
}

pub(crate) struct Shape {
    pub(crate) key: &'static str,
    pub(crate) label: &'static str,
    pub(crate) query: &'static str,
}

/// The chapter shapes, also measured by `soi-bench scale`.
pub(crate) const SHAPES: [Shape; 2] = [
    Shape {
        key: "a",
        label: "(a) page of 20 participants",
        query: "query($s: ID!) { participants(seasonId: $s, first: 20) { edges { node { id firstName lastName email } } } }",
    },
    Shape {
        key: "b",
        label: "(b) groups + members + attendance rates",
        query: "query($s: ID!) { groups(seasonId: $s) { name members { firstName lastName attendanceRate } } }",
    },
];

pub async fn run(args: Args) -> Result<()> {
    if args.connections == 0 || args.duration == 0 || args.pool == 0 {
        bail!("--connections, --duration and --pool must be at least 1");
    }
    for tool in ["wrk", "pgbench"] {
        let found = std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok();
        if !found {
            bail!(
                "`{tool}` is not installed (Debian: apt-get install -y {tool} / postgresql-client)"
            );
        }
    }
    println!(
        "# soi-bench gateway-load --cities {} --participants {} --sessions {} --city {} --connections {} --duration {} --warmup {} --pool {}{}",
        args.cities,
        args.participants,
        args.sessions,
        args.city,
        args.connections,
        args.duration,
        args.warmup,
        args.pool,
        if args.traces { " --traces" } else { "" }
    );
    let sink = if args.traces {
        Some(traces::TraceSink::start().await?)
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("soi-bench-gateway-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let outcome = Scratch::with(DB_NAME, async |s| measure(s, &args, &dir).await).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(sink) = sink {
        println!("{}", sink.finish().await?);
    }
    outcome
}

/// What one shape gave.
struct Row {
    label: &'static str,
    check: String,
    capture: Capture,
    wrk: Option<WrkFigures>,
    pgbench: Option<PgbenchFigures>,
}

/// The gateway as `soi serve` builds it, with the bench's pool and no Redis.
fn gateway_settings(scratch: &Scratch, args: &Args) -> soi_server::Settings {
    let db = scratch.config(args.pool, 2.min(args.pool));
    app::settings(db, JWT_SECRET, 3600)
}

async fn measure(scratch: &Scratch, args: &Args, dir: &Path) -> Result<()> {
    let url = scratch.url();
    let pools = scratch.pools(4, 1).await?;
    let started = Instant::now();
    let report = pools
        .seed_scale(args.cities, args.participants, args.sessions)
        .await?;
    println!(
        "seeded {} cities, {} participants, {} attendance marks in {:.0} s",
        report.cities,
        report.participants,
        report.attendance,
        started.elapsed().as_secs_f64()
    );
    let slug = soi_seed::scale::slug(args.city);
    let city = pools
        .city(&slug)
        .await
        .context("is --city at most --cities?")?;
    let email = format!("admin@{slug}.soi.test");
    let pw = soi_seed::demo::DEFAULT_PASSWORD.to_owned();
    let hash = tokio::task::spawn_blocking(move || soi_auth::hash_password(&pw))
        .await
        .context("hashing failed")?
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    accounts::create_as_owner(
        &pools.sys,
        &NewAccount {
            email: Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?,
            password_hash: hash,
            principal_role: Role::ChapterAdmin,
            city: Some(city.id),
            coach: None,
            participant: None,
        },
    )
    .await?;
    pools.close().await;

    let mut owner = PgConnection::connect(url)
        .await
        .context("owner connection")?;
    let log = LogFile::locate(&mut owner, args.pg_log.as_deref()).await?;

    // 1. Statement counts, on a gateway whose connections log every statement.
    owner
        .execute(sqlx::AssertSqlSafe(format!(
            "alter database {DB_NAME} set log_statement = 'all'"
        )))
        .await?;
    let gw = Gateway::start(gateway_settings(scratch, args)).await?;
    let counted = async {
        let client = reqwest::Client::new();
        let token = login(&client, gw.addr, &email).await?;
        let season = first_season(&client, gw.addr, &token).await?;
        let mut rows = Vec::new();
        for shape in &SHAPES {
            let vars = json!({ "s": season });
            let body = graphql(&client, gw.addr, &token, shape.query, &vars).await?;
            let check = check_response(shape, &body)?;
            let from = log.size(&mut owner).await?;
            graphql(&client, gw.addr, &token, shape.query, &vars).await?;
            // The server writes its log lines before it answers; a moment
            // for the last ones (the commit of a loader batch) to land.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let to = log.size(&mut owner).await?;
            let text = log.read(&mut owner, from, to).await?;
            rows.push(Row {
                label: shape.label,
                check,
                capture: Capture::parse(&text, DB_NAME),
                wrk: None,
                pgbench: None,
            });
        }
        anyhow::Ok((token, season, rows))
    }
    .await;
    gw.stop().await;
    owner
        .execute(sqlx::AssertSqlSafe(format!(
            "alter database {DB_NAME} reset log_statement"
        )))
        .await?;
    owner.close().await.ok();
    let (token, season, mut rows) = counted?;

    // 2. wrk against a gateway without statement logging.
    let gw = Gateway::start(gateway_settings(scratch, args)).await?;
    let loaded = async {
        for (shape, row) in SHAPES.iter().zip(rows.iter_mut()) {
            let script = dir.join(format!("{}.lua", shape.key));
            std::fs::write(&script, wrk_script(shape.query, &season, &token))?;
            let target = format!("http://{}/graphql", gw.addr);
            if args.warmup > 0 {
                wrk(&script, &target, args.connections, args.warmup).await?;
            }
            row.wrk = Some(wrk(&script, &target, args.connections, args.duration).await?);
        }
        anyhow::Ok(())
    }
    .await;
    gw.stop().await;
    loaded?;

    // 3. pgbench with the same statements, while no gateway runs.
    for (shape, row) in SHAPES.iter().zip(rows.iter_mut()) {
        let (script, defines) = row.capture.pgbench_script();
        let path = dir.join(format!("{}.sql", shape.key));
        std::fs::write(&path, script)?;
        if args.warmup > 0 {
            pgbench(url, &path, &defines, args.connections, args.warmup).await?;
        }
        row.pgbench = Some(pgbench(url, &path, &defines, args.connections, args.duration).await?);
    }

    print_report(&rows, args);
    Ok(())
}

fn print_report(rows: &[Row], args: &Args) {
    println!();
    println!("## Statements per request (log_statement = 'all', one warm request)");
    for row in rows {
        println!();
        println!(
            "{}: {} — {} statements in {} round trips, {} transaction(s)",
            row.label,
            row.check,
            row.capture.statements(),
            row.capture.round_trips(),
            row.capture.txs.len()
        );
        for (i, tx) in row.capture.txs.iter().enumerate() {
            for st in &tx.stmts {
                println!("  tx{}: {}", i + 1, st.summary());
            }
        }
    }
    println!();
    println!(
        "## Load: {} connections/clients, {} s each, gateway pool {}",
        args.connections, args.duration, args.pool
    );
    println!();
    let table = Table::start(&[
        text("shape"),
        num("SQL statements / request"),
        num("transactions / request"),
        num("gateway req/s"),
        num("gateway p50 ms"),
        num("gateway p99 ms"),
        num("pgbench tx/s"),
        num("pgbench mean ms"),
        num("gateway / pgbench"),
    ]);
    for row in rows {
        let (Some(w), Some(p)) = (&row.wrk, &row.pgbench) else {
            continue;
        };
        table.row(&[
            row.label.to_owned(),
            row.capture.statements().to_string(),
            row.capture.txs.len().to_string(),
            format!("{:.0}", w.rps),
            format!("{:.2}", w.p50_ms),
            format!("{:.2}", w.p99_ms),
            format!("{:.0}", p.tps),
            format!("{:.2}", p.latency_ms),
            format!("{:.2}", w.rps / p.tps),
        ]);
    }
    for row in rows {
        if let Some(w) = &row.wrk
            && !w.problems.is_empty()
        {
            println!("wrk {}: {}", row.label, w.problems.join("; "));
        }
    }
}
