//! `soi-bench gateway-load` — the GraphQL gateway under `wrk`, against the
//! very same SQL under `pgbench`, and against the best single statement that
//! gives the same answer; and the gateway's memory under that load.
//!
//! Steps: a fresh database seeded with the scale dataset; a chapter-admin
//! account for one scale city. Then, for each request shape:
//!
//! 1. Statement count, on a gateway started in this process on 127.0.0.1:0
//!    whose connections log every statement (`ALTER DATABASE … SET
//!    log_statement = 'all'`, so only this database's connections log). One
//!    warm-up request, then one measured request; the server log lines of
//!    this database written during the measured request are read back with
//!    `pg_read_file` (superuser) and counted. They also give the exact SQL and
//!    parameters, from which the pgbench script is written. That gateway is
//!    stopped and the setting reset before anything is timed; its answer is
//!    kept for step 2.
//! 2. The best statement (see `best.rs`): one hand-written statement per
//!    shape, checked before use as the tenant the gateway acts as (role
//!    `soi_app`, city, role and account as connection settings): row-level
//!    security filters, its rows equal the gateway's answer, and its plan
//!    reads only the city's partitions. Any difference stops the bench.
//! 3. `wrk -t2 -c<connections> -d<duration> --latency` against a second
//!    gateway, a `soi serve` process (default; `--in-process`: in this
//!    process, without Redis), after a short warm-up run. The process's
//!    VmRSS and VmHWM (`/proc/PID/status`) are read after start, after each
//!    warm-up and at the end of each shape's load; its peak is reset after
//!    each warm-up (`/proc/PID/clear_refs`), so the VmHWM at the end of a
//!    load is the peak under that shape's load.
//! 4. `pgbench -M prepared` with the captured statements, one transaction
//!    after another as in the request, as `soi_app` (`PGOPTIONS='-c
//!    role=soi_app -c jit=off'`), then the best statement with the tenant's
//!    settings in `PGOPTIONS`, at pgbench's default plan mode and again
//!    planned at every run as the runtime plans (`plan_cache_mode =
//!    force_custom_plan`); the higher rate is the bar. Same clients and
//!    duration, no gateway running.
//!
//! Over each measured wrk and pgbench run, the CPU time of the gateway
//! process and of PostgreSQL's processes is read from /proc (`cpu.rs`) and
//! printed per request and per transaction.

use crate::app;
use crate::mem::{Memory, mib};
use crate::scratch::Scratch;
use crate::serve::{self, Gateway, Serve};
use crate::table::{Table, num, text};
use anyhow::{Context, Result, bail};
use serde_json::json;
use soi_core::{Email, Role};
use soi_db::auth::accounts::{self, NewAccount};
use sqlx::{Connection, Executor, PgConnection};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod best;
mod cpu;
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
    /// Load a gateway inside this process (without Redis) instead of a
    /// `soi serve` process; no memory figures then.
    #[arg(long)]
    in_process: bool,
    /// The `soi` binary of the loaded gateway; default: `soi` next to this
    /// program (`cargo build -p soi-cli` with the same profile).
    #[arg(long)]
    soi_bin: Option<PathBuf>,
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
    // Before seeding: a missing binary fails at once.
    let bin = if args.in_process {
        None
    } else {
        Some(serve::soi_bin(args.soi_bin.as_ref())?)
    };
    println!(
        "# soi-bench gateway-load --cities {} --participants {} --sessions {} --city {} --connections {} --duration {} --warmup {} --pool {}{}{}",
        args.cities,
        args.participants,
        args.sessions,
        args.city,
        args.connections,
        args.duration,
        args.warmup,
        args.pool,
        if args.traces { " --traces" } else { "" },
        if args.in_process { " --in-process" } else { "" }
    );
    let sink = if args.traces {
        Some(traces::TraceSink::start().await?)
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("soi-bench-gateway-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let endpoint = sink.as_ref().map(|s| s.endpoint.clone());
    let outcome = Scratch::with(DB_NAME, async |s| {
        measure(s, &args, &dir, bin.as_deref(), endpoint).await
    })
    .await;
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
    /// The gateway's answer (the statement-counting gateway's).
    answer: serde_json::Value,
    best: Option<best::Checked>,
    wrk: Option<WrkFigures>,
    /// CPU per request during the load, where it could be read.
    cpu: Option<cpu::PerRequest>,
    /// The gateway's own statements under pgbench.
    pgbench: Option<PgbenchRun>,
    /// The best statement at pgbench's default plan mode, and with a custom
    /// plan at every run as the runtime plans (the higher rate is the bar).
    best_bench: Option<PgbenchRun>,
    best_custom: Option<PgbenchRun>,
}

/// One pgbench run, and the CPU it cost per transaction where it could be read.
struct PgbenchRun {
    figures: PgbenchFigures,
    cpu: Option<cpu::PerRequest>,
}

impl Row {
    /// The best statement's higher rate: with default or with custom plans.
    fn best_tps(&self) -> Option<f64> {
        [&self.best_bench, &self.best_custom]
            .into_iter()
            .flatten()
            .map(|r| r.figures.tps)
            .reduce(f64::max)
    }
}

/// The loaded `soi serve` process's memory at one moment.
struct Reading {
    moment: String,
    memory: Memory,
    /// Since when VmHWM is the peak.
    peak_over: String,
}

/// The gateway as `soi serve` builds it, with the bench's pool and no Redis.
fn gateway_settings(scratch: &Scratch, args: &Args) -> soi_server::Settings {
    let db = scratch.config(args.pool, 2.min(args.pool));
    app::settings(db, JWT_SECRET, 3600)
}

async fn measure(
    scratch: &Scratch,
    args: &Args,
    dir: &Path,
    bin: Option<&Path>,
    traces: Option<String>,
) -> Result<()> {
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
    let account = accounts::create_as_owner(
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
    let gw = app::Gateway::start(gateway_settings(scratch, args)).await?;
    let counted = async {
        let client = reqwest::Client::new();
        let token = login(&client, gw.addr, &email).await?;
        let season = first_season(&client, gw.addr, &token).await?;
        let mut rows = Vec::new();
        for shape in &SHAPES {
            let vars = json!({ "s": season });
            let answer = graphql(&client, gw.addr, &token, shape.query, &vars).await?;
            let check = check_response(shape, &answer)?;
            // The same moment before the measured request: the warm-up's
            // last lines (its transaction's end, which may come after the
            // answer) land outside the measured window.
            tokio::time::sleep(Duration::from_millis(300)).await;
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
                answer,
                best: None,
                wrk: None,
                cpu: None,
                pgbench: None,
                best_bench: None,
                best_custom: None,
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
    let (token, season, mut rows) = counted?;

    // 2. The best statements, checked against the gateway's answers.
    let tenant = best::Tenant {
        city: city.id.as_uuid(),
        account,
    };
    let season_id = uuid::Uuid::parse_str(&season)
        .with_context(|| format!("the season id {season} is not a UUID"))?;
    let checked = async {
        let other_city: Option<uuid::Uuid> =
            sqlx::query_scalar("select id from cities where id <> $1 order by slug limit 1")
                .bind(tenant.city)
                .fetch_optional(&mut owner)
                .await?;
        for (shape, row) in SHAPES.iter().zip(rows.iter_mut()) {
            row.best = Some(
                best::check(
                    &mut owner,
                    url,
                    shape,
                    tenant,
                    other_city,
                    season_id,
                    &row.answer,
                )
                .await?,
            );
        }
        anyhow::Ok(())
    }
    .await;
    // PostgreSQL's processes, for the CPU each request costs it.
    let postmaster = cpu::postmaster(&mut owner).await;
    owner.close().await.ok();
    checked?;

    // 3. wrk against a gateway without statement logging.
    let prefix = format!("soi_bench_gwload_{}", std::process::id());
    let gw = match bin {
        Some(bin) => {
            let mut env = Vec::new();
            if let Some(endpoint) = traces {
                env.push(("SOI_OTEL_ENDPOINT", endpoint));
                env.push(("SOI_OTEL_SAMPLE_RATIO", "1".to_owned()));
            }
            let serve = Serve {
                bin,
                url,
                redis_prefix: &prefix,
                jwt_secret: JWT_SECRET,
                pool: args.pool,
                min_pool: 2.min(args.pool),
                env,
            };
            serve.spawn(serve::free_port()?).await?
        }
        None => Gateway::InProcess(app::Gateway::start(gateway_settings(scratch, args)).await?),
    };
    let pid = gw.pid();
    let mut memory = Vec::new();
    let loaded = async {
        // Each reading, once taken, sets the peak back, so VmHWM at the next
        // reading is the peak over what ran in between (where the peak
        // cannot be reset, VmHWM stays the peak since start).
        let mut peak_over = "start".to_owned();
        let mut read = |moment: String, next: String| -> Result<Option<Reading>> {
            let Some(pid) = pid else { return Ok(None) };
            let reading = Reading {
                moment,
                memory: Memory::of(Some(pid))?,
                peak_over: std::mem::take(&mut peak_over),
            };
            peak_over = match Memory::reset_peak(Some(pid)) {
                Ok(()) => next,
                Err(_) => "start".to_owned(),
            };
            Ok(Some(reading))
        };
        // What runs first for a shape: its warm-up, or its load.
        let begins = |key: &str| {
            if args.warmup > 0 {
                format!("warm-up ({key})")
            } else {
                format!("load ({key})")
            }
        };
        memory.extend(read(
            "after start, before any request".into(),
            begins(SHAPES[0].key),
        )?);
        for (i, (shape, row)) in SHAPES.iter().zip(rows.iter_mut()).enumerate() {
            let key = shape.key;
            let script = dir.join(format!("{key}.lua"));
            std::fs::write(&script, wrk_script(shape.query, &season, &token))?;
            let target = format!("http://{}/graphql", gw.addr());
            if args.warmup > 0 {
                wrk(&script, &target, args.connections, args.warmup).await?;
                memory.extend(read(
                    format!("after warm-up ({key})"),
                    format!("load ({key})"),
                )?);
            }
            let sample = || {
                pid.zip(postmaster)
                    .and_then(|(g, pm)| cpu::Sample::take(Some(g), pm).ok())
            };
            let cpu_before = sample();
            let figures = wrk(&script, &target, args.connections, args.duration).await?;
            let cpu_after = sample();
            row.cpu = cpu_before
                .zip(cpu_after)
                .map(|(b, a)| b.per_request(&a, figures.requests));
            row.wrk = Some(figures);
            let next = SHAPES
                .get(i + 1)
                .map_or_else(String::new, |s| begins(s.key));
            memory.extend(read(format!("end of load ({key})"), next)?);
        }
        anyhow::Ok(())
    }
    .await;
    gw.stop().await;
    if bin.is_some() {
        serve::forget_redis(&prefix).await;
    }
    loaded?;

    // 4. pgbench with the same statements, then with the best statement,
    // while no gateway runs.
    let app_options = pgoptions(&APP_OPTIONS);
    let tenant_options = pgoptions(&tenant.options());
    let custom_options = format!("{tenant_options} -c plan_cache_mode=force_custom_plan");
    let best_defines = [
        ("city".to_owned(), tenant.city.to_string()),
        ("season".to_owned(), season.clone()),
    ];
    for (shape, row) in SHAPES.iter().zip(rows.iter_mut()) {
        let (script, defines) = row.capture.pgbench_script();
        let path = dir.join(format!("{}.sql", shape.key));
        std::fs::write(&path, script)?;
        let best_path = dir.join(format!("{}-best.sql", shape.key));
        std::fs::write(&best_path, best::pgbench_script(shape))?;
        for (path, options, defines, out) in [
            (&path, &app_options, &defines[..], &mut row.pgbench),
            (
                &best_path,
                &tenant_options,
                &best_defines[..],
                &mut row.best_bench,
            ),
            (
                &best_path,
                &custom_options,
                &best_defines[..],
                &mut row.best_custom,
            ),
        ] {
            if args.warmup > 0 {
                pgbench(url, options, path, defines, args.connections, args.warmup).await?;
            }
            let sample = || postmaster.and_then(|pm| cpu::Sample::take(None, pm).ok());
            let cpu_before = sample();
            let figures =
                pgbench(url, options, path, defines, args.connections, args.duration).await?;
            let cpu = cpu_before
                .zip(sample())
                .map(|(b, a)| b.per_request(&a, figures.transactions));
            *out = Some(PgbenchRun { figures, cpu });
        }
    }

    print_report(&rows, args, &tenant_options, pid, &memory);
    Ok(())
}

/// Where each request's CPU went, beside what the best statement cost
/// PostgreSQL under pgbench.
fn print_cpu(rows: &[Row]) {
    println!();
    let read = |r: &Row| {
        r.cpu.is_some()
            || [&r.pgbench, &r.best_bench, &r.best_custom]
                .into_iter()
                .flatten()
                .any(|run| run.cpu.is_some())
    };
    if !rows.iter().any(read) {
        println!(
            "(CPU per request: only for a PostgreSQL whose processes are on this machine, and a `soi serve` gateway for the gateway's share)"
        );
        return;
    }
    println!(
        "## CPU per request during the load (ms; /proc: the gateway process, PostgreSQL's processes, the rest of the machine's busy time)"
    );
    println!();
    let table = Table::start(&[
        text("shape"),
        num("gateway ms"),
        num("PostgreSQL ms"),
        num("rest ms"),
        num("its SQL under pgbench: PostgreSQL / rest ms per tx"),
        num("best statement: PostgreSQL / rest ms per tx"),
        num("best, custom plans: PostgreSQL / rest ms per tx"),
    ]);
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    let split = |run: &Option<PgbenchRun>| match run.as_ref().and_then(|r| r.cpu) {
        Some(c) => format!("{:.3} / {:.3}", c.postgres_ms, c.rest_ms),
        None => "-".to_owned(),
    };
    for row in rows {
        table.row(&[
            row.label.to_owned(),
            ms(row.cpu.map(|c| c.gateway_ms)),
            ms(row.cpu.map(|c| c.postgres_ms)),
            ms(row.cpu.map(|c| c.rest_ms)),
            split(&row.pgbench),
            split(&row.best_bench),
            split(&row.best_custom),
        ]);
    }
}

fn print_report(
    rows: &[Row],
    args: &Args,
    tenant_options: &str,
    pid: Option<u32>,
    memory: &[Reading],
) {
    println!();
    println!(
        "## Statements per request (in-process gateway, log_statement = 'all', one warm request)"
    );
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
        "## Best single statement per shape (pgbench -M prepared, PGOPTIONS='{tenant_options}')"
    );
    for (shape, row) in SHAPES.iter().zip(rows) {
        let Some(b) = &row.best else { continue };
        println!();
        println!(
            "{}: {} rows, checksum {:016x}, the same as the gateway's answer",
            row.label, b.rows, b.checksum
        );
        println!(
            "  {}",
            best::sql(shape)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!("  row-level security: {}", b.rls);
        println!("  partitions: {}", b.partitions);
    }
    println!();
    println!(
        "## Load: {} connections/clients, {} s each, gateway pool {}, gateway {}",
        args.connections,
        args.duration,
        args.pool,
        match pid {
            Some(_) => "`soi serve` process",
            None => "in this process, no Redis",
        }
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
        num("best statement tx/s"),
        num("best, custom plans tx/s"),
        num("gateway / best (the higher)"),
    ]);
    for row in rows {
        let (Some(w), Some(p), Some(b), Some(c), Some(best)) = (
            &row.wrk,
            &row.pgbench,
            &row.best_bench,
            &row.best_custom,
            row.best_tps(),
        ) else {
            continue;
        };
        let p = &p.figures;
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
            format!("{:.0}", b.figures.tps),
            format!("{:.0}", c.figures.tps),
            format!("{:.2}", w.rps / best),
        ]);
    }
    for row in rows {
        if let Some(w) = &row.wrk
            && !w.problems.is_empty()
        {
            println!("wrk {}: {}", row.label, w.problems.join("; "));
        }
    }
    print_cpu(rows);
    let Some(pid) = pid else {
        println!();
        println!("(gateway memory: only for a `soi serve` gateway, not with --in-process)");
        return;
    };
    println!();
    println!("## Gateway memory (`soi serve` pid {pid}, /proc/{pid}/status)");
    println!();
    let table = Table::start(&[
        text("moment"),
        num("VmRSS MiB"),
        num("VmHWM MiB"),
        text("VmHWM is the peak over"),
    ]);
    for r in memory {
        table.row(&[
            r.moment.clone(),
            mib(r.memory.rss_kib),
            mib(r.memory.hwm_kib),
            r.peak_over.clone(),
        ]);
    }
}
