//! `soi-bench reports` — national and city reports over the rollups, with
//! and without the Redis cache, and a chapter admin's common queries at few
//! and at many cities.
//!
//! Steps: one fresh database per number of cities (`--cities`, e.g. 5 and
//! 200), each migrated and filled with the scale seed; the seed writes
//! through the rollup triggers, so the rollups are what the triggers made
//! (their count is checked and printed). Per database two gateways run in
//! this process, built as `soi serve` builds them: one without Redis (every
//! report is computed from PostgreSQL: the cold path) and one with a real
//! Redis (`REDIS_URL`, default `redis://127.0.0.1:6379`) under a key prefix
//! of its own (the database's name). Tokens are signed here: the national
//! role (no city) and a chapter admin of `scale-0001`, for accounts written
//! as the owner (the gateway checks each token's account).
//!
//! 1. `nationalReport` cold, through the gateway without Redis, grouped by
//!    city (sorted by attendance rate), month and season.
//! 2. `nationalReport` cached, through the gateway with Redis, after a
//!    warm-up; the cache's hit counter must grow by one per request.
//! 3. A chapter admin's common queries at the first and the last number of
//!    cities, through the gateways without Redis, in alternating blocks so
//!    that the machine's drift touches both alike; `cityReport` also cached.
//!
//! Requests are sequential, one client, one keep-alive connection; latency
//! is client side (send → body read). At the end the gateways are stopped,
//! the databases dropped and the prefixes' Redis keys deleted (`SCAN` +
//! `DEL`), and what is left of either is counted and printed.

use crate::app::{self, Gateway};
use crate::scratch::{self, Scratch};
use crate::table::{Figures, Table, figures, ms, num, text};
use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use soi_auth::TokenKeys;
use soi_core::{CityId, Principal, Role};
use sqlx::{Connection, Executor, PgConnection};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const DB_PREFIX: &str = "soi_bench_reports";
const JWT_SECRET: &str = "soi-bench-reports-secret-0123456789abcdef";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Numbers of launched cities, comma separated; the chapter comparison is
    /// the last against the first.
    #[arg(long, value_delimiter = ',', default_value = "5,200")]
    cities: Vec<u32>,
    /// Participants per city (groups of twenty).
    #[arg(long, default_value_t = 100)]
    participants: u32,
    /// Sessions per group, every one marked.
    #[arg(long, default_value_t = 20)]
    sessions: u32,
    /// First month of the reports (`YYYY-MM`); the scale seed's applications
    /// start in 2026-08 and its sessions in 2026-10.
    #[arg(long, default_value = "2026-08")]
    from: String,
    /// Last month of the reports (`YYYY-MM`).
    #[arg(long, default_value = "2027-07")]
    to: String,
    /// Measured requests of each cold `nationalReport` grouping.
    #[arg(long, default_value_t = 300)]
    cold: usize,
    /// Measured requests of the cached `nationalReport`.
    #[arg(long, default_value_t = 2000)]
    cached: usize,
    /// Warm-up requests before each cached run (a tenth as many, at least 10,
    /// before every other run).
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Measured requests of each chapter query shape at each number of cities.
    #[arg(long, default_value_t = 500)]
    chapter: usize,
    /// Each gateway's pool size (`SOI_DB_MAX_CONNECTIONS`; its default is 16).
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// `VACUUM (ANALYZE)` each database after seeding, before measuring: the
    /// seed's trigger upserts leave dead row versions in `rollups` and
    /// `rollup_versions` that autovacuum (when it is on) removes later.
    #[arg(long)]
    vacuum: bool,
}

const FIGURE_FIELDS: &str = "applicants accepted waitlisted rejected active completed withdrawn \
retention sessionsHeld sessionsCancelled attendanceMarks attendancePresent attendanceRate \
activeCoaches skillsPassed showsHeld ticketsSold ticketsCheckedIn ticketRevenue sponsorMoney \
expenses givenToCauses beneficiaries suppressed";

pub(crate) fn national_query() -> String {
    format!(
        "query($f: YearMonth!, $t: YearMonth!, $g: ReportGrouping!, $s: ReportSort) {{ \
         nationalReport(from: $f, to: $t, groupBy: $g, sort: $s) {{ from to groupBy \
         totals {{ {FIGURE_FIELDS} }} \
         rows {{ city {{ slug nameEn }} month season {{ id title startsOn }} figures {{ {FIGURE_FIELDS} }} }} }} }}"
    )
}

fn city_report_query() -> String {
    format!(
        "query($f: YearMonth!, $t: YearMonth!) {{ cityReport(from: $f, to: $t, groupBy: MONTH) {{ \
         from to city {{ slug }} totals {{ {FIGURE_FIELDS} }} \
         rows {{ month figures {{ {FIGURE_FIELDS} }} }} \
         nationalMedian {{ {FIGURE_FIELDS} }} citiesCompared }} }}"
    )
}

/// A chapter admin's query shape.
struct Shape {
    label: &'static str,
    query: String,
    /// The list whose length shows the answer is not empty.
    check: &'static [&'static str],
}

fn chapter_shapes() -> Vec<Shape> {
    vec![
        Shape {
            label: "cityReport(groupBy: MONTH) + national median",
            query: city_report_query(),
            check: &["cityReport", "rows"],
        },
        Shape {
            label: "seasons (first 10)",
            query: "{ seasons(first: 10) { edges { node { id title startsOn endsOn capacity seatsTaken phase } } } }".into(),
            check: &["seasons", "edges"],
        },
        Shape {
            label: "groups of a season + attendance rate",
            query: "query($s: ID!) { groups(seasonId: $s) { id name attendanceRate } }".into(),
            check: &["groups"],
        },
        Shape {
            label: "a group's sessions (first 20)",
            query: "query($g: ID!) { sessions(groupId: $g, first: 20) { edges { node { id startsAt endsAt status } } } }".into(),
            check: &["sessions", "edges"],
        },
        Shape {
            label: "attendanceRates of a group",
            query: "query($g: ID!) { attendanceRates(groupId: $g) { participantId attended marked rate } }".into(),
            check: &["attendanceRates"],
        },
        Shape {
            label: "participants of a season (first 20)",
            query: "query($s: ID!) { participants(seasonId: $s, first: 20) { edges { node { id firstName lastName email } } } }".into(),
            check: &["participants", "edges"],
        },
    ]
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub async fn run(args: Args) -> Result<()> {
    ensure!(
        !args.cities.is_empty() && args.cities.iter().all(|&n| n > 0),
        "give at least one number of cities, each at least 1"
    );
    ensure!(
        args.cold > 0 && args.cached > 0 && args.chapter > 0 && args.pool > 0,
        "--cold, --cached, --chapter and --pool must be at least 1"
    );
    println!(
        "# soi-bench reports --cities {} --participants {} --sessions {} --from {} --to {} --cold {} --cached {} --warmup {} --chapter {} --pool {}{}",
        args.cities
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(","),
        args.participants,
        args.sessions,
        args.from,
        args.to,
        args.cold,
        args.cached,
        args.warmup,
        args.chapter,
        args.pool,
        if args.vacuum { " --vacuum" } else { "" }
    );
    let server = scratch::server_url();
    let redis_url = redis_url();
    let names: Vec<String> = args
        .cities
        .iter()
        .map(|n| format!("{DB_PREFIX}_{n}"))
        .collect();
    let started = Instant::now();
    let outcome = measure(&redis_url, &names, &args).await;
    // Whatever happened: drop the databases and the Redis keys, then count
    // what is left.
    let mut cleanup = Vec::new();
    for name in &names {
        if let Err(e) = scratch::drop_database(name).await {
            cleanup.push(format!("dropping {name}: {e}"));
        }
    }
    let mut deleted = 0;
    for name in &names {
        match delete_keys(&redis_url, name).await {
            Ok(n) => deleted += n,
            Err(e) => cleanup.push(format!("deleting Redis keys {name}:*: {e:#}")),
        }
    }
    let left = leftovers(&server, &redis_url, &names).await;
    println!();
    match left {
        Ok((dbs, keys)) => println!(
            "cleanup: dropped {} database(s), deleted {deleted} Redis key(s); left behind: {dbs} database(s) named {DB_PREFIX}_*, {keys} Redis key(s) under the prefixes",
            names.len()
        ),
        Err(e) => cleanup.push(format!("counting leftovers: {e:#}")),
    }
    println!("total wall time {:.0} s", started.elapsed().as_secs_f64());
    for problem in &cleanup {
        println!("cleanup problem: {problem}");
    }
    outcome?;
    ensure!(cleanup.is_empty(), "cleanup failed");
    Ok(())
}

/// One number of cities: its database and its two gateways.
struct Site {
    cities: u32,
    name: String,
    cold: Gateway,
    hot: Gateway,
    /// The hot gateway's Redis layer: its counters tell hits from misses.
    redis: soi_cache::Redis,
    admin_token: String,
    season: String,
    group: String,
}

async fn measure(redis_url: &str, names: &[String], args: &Args) -> Result<()> {
    let keys = TokenKeys::new(&JWT_SECRET.to_owned().into(), 24 * 3600);
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let national = Principal::new(uuid::Uuid::new_v4(), Role::National, None, None, None)
        .context("national principal")?;
    let national_token = keys.issue(&national, now)?;
    let client = reqwest::Client::new();

    println!();
    println!("## Datasets (scale seed, written through the rollup triggers)");
    println!();
    let mut sites: Vec<Site> = Vec::new();
    let setup = async {
        for (&n, name) in args.cities.iter().zip(names) {
            // Dropped with the others by `run`, whatever happens here.
            let scratch = Scratch::create(name).await?;
            let city = seed(&scratch, n, args).await?;
            let admin = uuid::Uuid::new_v4();
            accounts(&scratch, national.account(), admin, city).await?;
            let settings = || {
                let db = scratch.config(args.pool, 2.min(args.pool));
                app::settings(db, JWT_SECRET, 24 * 3600)
            };
            let mut with_redis = settings();
            with_redis.redis = Some(app::redis(redis_url, name));
            let hot = Gateway::start(with_redis).await?;
            let redis = match hot.redis().filter(|r| r.is_up()) {
                Some(r) => r.clone(),
                None => {
                    hot.stop().await;
                    bail!("Redis at {redis_url} does not answer (set REDIS_URL)");
                }
            };
            let cold = match Gateway::start(settings()).await {
                Ok(g) => g,
                Err(e) => {
                    hot.stop().await;
                    return Err(e);
                }
            };
            let principal = Principal::new(admin, Role::ChapterAdmin, Some(city), None, None)
                .context("chapter admin principal")?;
            let admin_token = keys.issue(&principal, now)?;
            let mut site = Site {
                cities: n,
                name: name.clone(),
                cold,
                hot,
                redis,
                admin_token,
                season: String::new(),
                group: String::new(),
            };
            match ids(&client, site.cold.addr, &site.admin_token).await {
                Ok((season, group)) => {
                    site.season = season;
                    site.group = group;
                    sites.push(site);
                }
                Err(e) => {
                    site.cold.stop().await;
                    site.hot.stop().await;
                    return Err(e);
                }
            }
        }
        anyhow::Ok(())
    }
    .await;
    let measured = match setup {
        Ok(()) => measure_sites(&client, &national_token, &sites, args).await,
        Err(e) => Err(e),
    };
    for site in sites {
        site.cold.stop().await;
        site.hot.stop().await;
        drop(site.redis);
    }
    measured
}

/// Seeds, checks the rollups; the city of the chapter admin.
/// The accounts the signed tokens stand for (the gateway refuses a token
/// whose account it cannot find), written as the owner: the national one and
/// a chapter admin of `city`, at session version 1.
pub(crate) async fn accounts(
    scratch: &Scratch,
    national: uuid::Uuid,
    admin: uuid::Uuid,
    city: CityId,
) -> Result<()> {
    let mut owner = PgConnection::connect(scratch.url())
        .await
        .context("owner connection")?;
    for (id, role, home) in [
        (national, "national", None),
        (admin, "chapter_admin", Some(city.as_uuid())),
    ] {
        sqlx::query(
            "insert into accounts (id, email, password_hash, role, home_city_id) \
             values ($1, $2, '$argon2id$bench-account-no-sign-in', $3, $4)",
        )
        .bind(id)
        .bind(format!("{}@bench.soi.test", id.simple()))
        .bind(role)
        .bind(home)
        .execute(&mut owner)
        .await
        .context("bench account")?;
    }
    owner.close().await.ok();
    Ok(())
}

async fn seed(scratch: &Scratch, n: u32, args: &Args) -> Result<CityId> {
    let url = scratch.url();
    let pools = scratch.pools(4, 1).await?;
    let started = Instant::now();
    let report = pools
        .seed_scale(n, args.participants, args.sessions)
        .await?;
    let seeded = started.elapsed();
    let slug = soi_seed::scale::slug(1);
    let city = pools.city(&slug).await?;
    pools.close().await;

    // The owner (a superuser locally) sees every city's rollups.
    let mut owner = PgConnection::connect(url)
        .await
        .context("owner connection")?;
    let (rows, cities, first, last): (
        i64,
        i64,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    ) = sqlx::query_as(
        "select count(*), count(distinct city_id), min(month), max(month) from rollups",
    )
    .fetch_one(&mut owner)
    .await?;
    let (from, to) = (month_start(&args.from)?, month_start(&args.to)?);
    let (in_window,): (i64,) =
        sqlx::query_as("select count(*) from rollups where month between $1 and $2")
            .bind(from)
            .bind(to)
            .fetch_one(&mut owner)
            .await?;
    let (autovacuum,): (String,) = sqlx::query_as("select current_setting('autovacuum')")
        .fetch_one(&mut owner)
        .await?;
    let bloat = "select pg_size_pretty(pg_total_relation_size('rollups')) || ', ' \
                 || n_dead_tup || ' dead row versions' \
                 from pg_stat_user_tables where relname = 'rollups'";
    let (seeded_size,): (String,) = sqlx::query_as(bloat).fetch_one(&mut owner).await?;
    let vacuumed = if args.vacuum {
        let t = Instant::now();
        owner.execute("vacuum (analyze)").await?;
        // The statistics collector reports the vacuum's counts a moment later.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let (size,): (String,) = sqlx::query_as(bloat).fetch_one(&mut owner).await?;
        format!(
            "; after VACUUM (ANALYZE) of the database ({:.1} s): {size}",
            t.elapsed().as_secs_f64()
        )
    } else {
        String::new()
    };
    owner.close().await.ok();
    println!(
        "{n} cities: rollups table after the seed: {seeded_size} (server autovacuum = {autovacuum}){vacuumed}"
    );
    println!(
        "{n} cities: seeded {} participants, {} sessions, {} attendance marks in {:.0} s; \
         rollups: {rows} rows over {cities} cities, months {} – {}, {in_window} rows in {} – {}",
        report.participants,
        report.sessions,
        report.attendance,
        seeded.as_secs_f64(),
        first.map_or_else(|| "-".into(), |d| d.format("%Y-%m").to_string()),
        last.map_or_else(|| "-".into(), |d| d.format("%Y-%m").to_string()),
        args.from,
        args.to,
    );
    ensure!(
        rows > 0,
        "the seed left no rollups: are the triggers in place?"
    );
    ensure!(
        cities == i64::from(n),
        "rollups cover {cities} of {n} cities"
    );
    Ok(city.id)
}

fn month_start(m: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .with_context(|| format!("not a month (YYYY-MM): {m}"))
}

/// The first season of the admin's city and its first group.
async fn ids(client: &reqwest::Client, addr: SocketAddr, token: &str) -> Result<(String, String)> {
    let body = request(
        client,
        addr,
        token,
        &json!({ "query": "{ seasons(first: 1) { edges { node { id } } } }" }),
    )
    .await?
    .1;
    let season = body["data"]["seasons"]["edges"][0]["node"]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the city has no season: {body}"))?;
    let body = request(
        client,
        addr,
        token,
        &json!({ "query": "query($s: ID!) { groups(seasonId: $s) { id } }", "variables": { "s": season } }),
    )
    .await?
    .1;
    let group = body["data"]["groups"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the season has no group: {body}"))?;
    Ok((season, group))
}

/// One request; its size in bytes and the parsed answer, which must hold no error.
pub(crate) async fn request(
    client: &reqwest::Client,
    addr: SocketAddr,
    token: &str,
    body: &Value,
) -> Result<(usize, Value)> {
    let bytes = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(body)
        .timeout(Duration::from_secs(30))
        .send()
        .await?
        .bytes()
        .await?;
    let value: Value = serde_json::from_slice(&bytes)?;
    if value.get("errors").is_some() {
        bail!("the gateway answered with errors: {value}");
    }
    Ok((bytes.len(), value))
}

/// `n` sequential requests of one prepared body; their latencies.
pub(crate) async fn sample(
    client: &reqwest::Client,
    addr: SocketAddr,
    token: &str,
    body: &str,
    n: usize,
) -> Result<Vec<Duration>> {
    let url = format!("http://{addr}/graphql");
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let resp = client
            .post(&url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        out.push(t.elapsed());
        ensure!(
            status.is_success() && !contains(&bytes, b"\"errors\""),
            "the gateway answered {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
        );
    }
    Ok(out)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(&v["data"], |v, k| &v[*k])
}

fn grouping_body(args: &Args, grouping: &str) -> Value {
    let sort = if grouping == "CITY" {
        json!({ "field": "ATTENDANCE_RATE", "descending": true })
    } else {
        Value::Null
    };
    json!({
        "query": national_query(),
        "variables": { "f": args.from, "t": args.to, "g": grouping, "s": sort },
    })
}

fn warm(n: usize) -> usize {
    (n / 10).max(10)
}

async fn measure_sites(
    client: &reqwest::Client,
    national_token: &str,
    sites: &[Site],
    args: &Args,
) -> Result<()> {
    // 1. Cold national reports: the gateway without Redis computes each one.
    println!();
    println!(
        "## nationalReport, cold: gateway without Redis, every request computed from PostgreSQL ({} – {}, {} requests after {} warm-up)",
        args.from,
        args.to,
        args.cold,
        warm(args.cold)
    );
    println!();
    let table = Table::start(&[
        num("cities"),
        text("groupBy"),
        num("rows"),
        num("answer bytes"),
        num("mean ms"),
        num("p50 ms"),
        num("p99 ms"),
        text("goal ≤ 50 ms (p99)"),
    ]);
    for site in sites {
        for grouping in ["CITY", "MONTH", "SEASON"] {
            let body = grouping_body(args, grouping);
            let (bytes, answer) = request(client, site.cold.addr, national_token, &body).await?;
            let rows = at(&answer, &["nationalReport", "rows"])
                .as_array()
                .map_or(0, Vec::len);
            ensure!(rows > 0, "nationalReport {grouping}: no rows: {answer}");
            if grouping == "CITY" {
                ensure!(
                    rows == site.cities as usize,
                    "nationalReport CITY: {rows} rows for {} cities",
                    site.cities
                );
            }
            let body = body.to_string();
            sample(
                client,
                site.cold.addr,
                national_token,
                &body,
                warm(args.cold),
            )
            .await?;
            let t = Instant::now();
            let samples = sample(client, site.cold.addr, national_token, &body, args.cold).await?;
            let f = figures(samples, t.elapsed());
            let sorted = if grouping == "CITY" {
                " (sort attendanceRate desc)"
            } else {
                ""
            };
            table.row(&[
                site.cities.to_string(),
                format!("{grouping}{sorted}"),
                rows.to_string(),
                bytes.to_string(),
                ms(f.mean),
                ms(f.p50),
                ms(f.p99),
                verdict(f.p99 <= Duration::from_millis(50)).to_owned(),
            ]);
        }
    }

    // 2. Cached national reports: the gateway with Redis.
    println!();
    println!(
        "## nationalReport, cached: gateway with Redis (groupBy CITY sorted, {} requests after {} warm-up)",
        args.cached, args.warmup
    );
    println!();
    let table = Table::start(&[
        num("cities"),
        text("Redis hits / misses (measured)"),
        num("mean ms"),
        num("p50 ms"),
        num("p99 ms"),
        num("req/s"),
        text("goal p99 ≤ 2 ms"),
    ]);
    for site in sites {
        let body = grouping_body(args, "CITY").to_string();
        sample(
            client,
            site.hot.addr,
            national_token,
            &body,
            args.warmup.max(1),
        )
        .await?;
        let before = site.redis.stats();
        let t = Instant::now();
        let samples = sample(client, site.hot.addr, national_token, &body, args.cached).await?;
        let wall = t.elapsed();
        let after = site.redis.stats();
        let (hits, misses) = (after.hits - before.hits, after.misses - before.misses);
        ensure!(
            hits >= args.cached as u64 && after.up,
            "the cache did not answer every request ({hits} hits, {misses} misses, up: {})",
            after.up
        );
        let f = figures(samples, wall);
        table.row(&[
            site.cities.to_string(),
            format!("{hits} / {misses}"),
            ms(f.mean),
            ms(f.p50),
            ms(f.p99),
            format!("{:.0}", f.per_second),
            verdict(f.p99 <= Duration::from_millis(2)).to_owned(),
        ]);
    }

    // 3. A chapter admin's shapes, first against last number of cities.
    let (Some(few), Some(many)) = (sites.first(), sites.last()) else {
        return Ok(());
    };
    if few.cities == many.cities {
        return Ok(());
    }
    let blocks = 10.min(args.chapter);
    println!();
    println!(
        "## Chapter admin of scale-0001: gateways without Redis, {} requests per shape and number of cities (after {} warm-up), in {blocks} alternating blocks",
        args.chapter,
        warm(args.chapter)
    );
    println!();
    let (a, b) = (few.cities, many.cities);
    let table = Table::start(&[
        text("shape"),
        text("answer"),
        num(format!("p50 ms @{a}")),
        num(format!("p99 ms @{a}")),
        num(format!("p50 ms @{b}")),
        num(format!("p99 ms @{b}")),
        num(format!("p50 ratio {b}/{a}")),
        text("goal ≤ 1.15"),
    ]);
    let mut cached_row = None;
    for shape in chapter_shapes() {
        let pair = [few, many];
        let mut bodies = Vec::new();
        let mut answer = String::new();
        for site in pair {
            let body = json!({
                "query": shape.query,
                "variables": { "s": site.season, "g": site.group, "f": args.from, "t": args.to },
            });
            let (bytes, value) = request(client, site.cold.addr, &site.admin_token, &body).await?;
            let n = at(&value, shape.check).as_array().map_or(0, Vec::len);
            ensure!(n > 0, "{}: empty answer: {value}", shape.label);
            if shape.check[0] == "cityReport" {
                let compared = at(&value, &["cityReport", "citiesCompared"])
                    .as_i64()
                    .unwrap_or(0);
                ensure!(
                    compared == i64::from(site.cities),
                    "cityReport compares {compared} cities of {}",
                    site.cities
                );
            }
            answer = format!("{n} items, {bytes} B");
            let body = body.to_string();
            sample(
                client,
                site.cold.addr,
                &site.admin_token,
                &body,
                warm(args.chapter),
            )
            .await?;
            bodies.push(body);
        }
        let mut samples = [Vec::new(), Vec::new()];
        let per_block = args.chapter.div_ceil(blocks);
        let mut wall = [Duration::ZERO; 2];
        for b in 0..blocks {
            let n = per_block.min(args.chapter - b * per_block);
            if n == 0 {
                break;
            }
            for (i, site) in pair.iter().enumerate() {
                let t = Instant::now();
                let s = sample(client, site.cold.addr, &site.admin_token, &bodies[i], n).await?;
                wall[i] += t.elapsed();
                samples[i].extend(s);
            }
        }
        let [s_few, s_many] = samples;
        let (f_few, f_many) = (figures(s_few, wall[0]), figures(s_many, wall[1]));
        let ratio = f_many.p50.as_secs_f64() / f_few.p50.as_secs_f64();
        table.row(&[
            shape.label.to_owned(),
            answer,
            ms(f_few.p50),
            ms(f_few.p99),
            ms(f_many.p50),
            ms(f_many.p99),
            format!("{ratio:.2}"),
            verdict(ratio <= 1.15).to_owned(),
        ]);
        if shape.check[0] == "cityReport" {
            cached_row = Some((shape, bodies));
        }
    }
    // cityReport through the gateways with Redis.
    if let Some((shape, bodies)) = cached_row {
        let mut out: Vec<Figures> = Vec::new();
        let mut hits = Vec::new();
        for (site, body) in [few, many].iter().zip(&bodies) {
            sample(
                client,
                site.hot.addr,
                &site.admin_token,
                body,
                warm(args.chapter),
            )
            .await?;
            let before = site.redis.stats().hits;
            let t = Instant::now();
            let s = sample(client, site.hot.addr, &site.admin_token, body, args.chapter).await?;
            let wall = t.elapsed();
            hits.push(site.redis.stats().hits - before);
            out.push(figures(s, wall));
        }
        let ratio = out[1].p50.as_secs_f64() / out[0].p50.as_secs_f64();
        table.row(&[
            format!("{} — cached (gateway with Redis)", shape.label),
            format!(
                "Redis hits {} / {} (the own part: 1 per request; the median is kept in the process)",
                hits[0], hits[1]
            ),
            ms(out[0].p50),
            ms(out[0].p99),
            ms(out[1].p50),
            ms(out[1].p99),
            format!("{ratio:.2}"),
            verdict(ratio <= 1.15).to_owned(),
        ]);
    }
    println!();
    println!(
        "(eventSales not measured: the scale seed has no events. Databases: {})",
        sites
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

// --- cleanup ---------------------------------------------------------------

/// Deletes every key under `prefix:`; how many.
async fn delete_keys(url: &str, prefix: &str) -> Result<u64> {
    Ok(soi_cache::delete_prefixed(url, prefix).await?)
}

/// Databases named like the bench's and Redis keys under its prefixes.
async fn leftovers(server: &str, redis_url: &str, names: &[String]) -> Result<(i64, usize)> {
    let mut conn = PgConnection::connect(server).await?;
    let (dbs,): (i64,) =
        sqlx::query_as("select count(*) from pg_database where datname::text = any($1)")
            .bind(names)
            .fetch_one(&mut conn)
            .await?;
    conn.close().await.ok();
    let mut keys = 0;
    for name in names {
        keys += soi_cache::count_prefixed(redis_url, name).await?;
    }
    Ok((dbs, keys))
}
