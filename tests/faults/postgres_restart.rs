//! PostgreSQL restarted under load: a private cluster with the demo, a
//! gateway on it, and the admins of two cities writing (new rinks) and
//! reading (rinks, participants) without pause while the server is
//! restarted twice — `pg_ctl restart -m fast`, then a crash
//! (`stop -m immediate`) with a second of outage before it starts again.
//!
//! Proves: the gateway answers successfully again within 5 s of PostgreSQL
//! accepting connections (measured and printed for each restart); every
//! write answered successfully is in the database afterwards; no answer
//! ever holds another city's rows; refusals during the outage are typed
//! (`extensions.code`, HTTP 503 at most) and show no SQL or stack text.

use serde_json::{Value, json};
use soi_tests::TestApp;
use soi_tests::pg_cluster::PgCluster;
use sqlx::{Connection, Executor, PgConnection};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The two cities under load: slug, and the prefix of the rinks its admin
/// creates (so a rink names its city).
const CITIES: [(&str, &str); 2] = [
    ("almaty", "Almaty fault rink"),
    ("astana", "Astana fault rink"),
];
const RINKS: &str = "query { rinks { id name } }";
const PARTICIPANTS: &str = "query { participants(first: 100) { nodes { id } } }";
const CREATE_RINK: &str = "mutation($n: String!, $a: String!) { createRink(input: { name: $n, address: $a }) { id name } }";
/// How soon the gateway must answer again once PostgreSQL does.
const RECOVERY_BOUND: Duration = Duration::from_secs(5);
/// Text no answer may show (as in deploy/fuzz/leaks.txt).
const LEAKS: &[&str] = &[
    "SELECT ",
    "sqlx",
    "panicked",
    "stack backtrace",
    ".rs:",
    "pg_",
    "SQLSTATE",
    "syntax error",
    "violates",
    "duplicate key",
    "onnection refused",
    "os error",
];

/// What the load saw.
#[derive(Default)]
struct Log {
    ok: AtomicU64,
    /// Refusals by (HTTP status, code).
    refused: Mutex<BTreeMap<(u16, String), u64>>,
    /// Anything that breaks the rules (an untyped error, a leak, a row of
    /// another city, no answer at all).
    problems: Mutex<Vec<String>>,
    /// Rinks whose creation was answered successfully: (city, id, name).
    acked: Mutex<Vec<(usize, String, String)>>,
}

impl Log {
    fn problem(&self, p: String) {
        let mut all = self.problems.lock().expect("log");
        if all.len() < 30 {
            all.push(p);
        }
    }
}

/// What each city holds before the load: its rinks and participants.
struct Known {
    rinks: [HashSet<String>; 2],
    participants: [HashSet<String>; 2],
}

/// POSTs one operation; returns `data` when it was answered successfully,
/// and records a refusal (checking that it is typed) otherwise.
async fn send(app: &TestApp, log: &Log, token: &str, query: &str, vars: Value) -> Option<Value> {
    let sent = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await;
    let r = match sent {
        Ok(r) => r,
        Err(e) => {
            log.problem(format!("the gateway did not answer: {e}"));
            return None;
        }
    };
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    if let Some(leak) = LEAKS.iter().find(|l| text.contains(*l)) {
        log.problem(format!("answer shows {leak:?}: {text}"));
    }
    let body: Value = match serde_json::from_str(&text) {
        Ok(b) => b,
        Err(_) => {
            log.problem(format!("HTTP {status}, not JSON: {text}"));
            return None;
        }
    };
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    if status == 200 && errors.is_empty() && !body["data"].is_null() {
        log.ok.fetch_add(1, Ordering::Relaxed);
        return Some(body["data"].clone());
    }
    if errors.is_empty() || !(status == 200 || status == 503) {
        log.problem(format!("HTTP {status}: {text}"));
    }
    for e in &errors {
        match e["extensions"]["code"].as_str() {
            Some(code) => {
                *log.refused
                    .lock()
                    .expect("log")
                    .entry((status, code.to_owned()))
                    .or_default() += 1;
            }
            None => log.problem(format!("an error without a code: {text}")),
        }
    }
    None
}

/// Checks one answer of city `c`'s admin: every row is the city's own.
fn check_rows(known: &Known, log: &Log, c: usize, query: &str, data: &Value) {
    let other = 1 - c;
    if query == RINKS {
        for rink in data["rinks"].as_array().into_iter().flatten() {
            let (id, name) = (
                rink["id"].as_str().unwrap_or(""),
                rink["name"].as_str().unwrap_or(""),
            );
            let own = known.rinks[c].contains(id) || name.starts_with(CITIES[c].1);
            if !own || known.rinks[other].contains(id) || name.starts_with(CITIES[other].1) {
                log.problem(format!("{} saw a rink not its own: {rink}", CITIES[c].0));
            }
        }
    } else {
        for p in data["participants"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = p["id"].as_str().unwrap_or("");
            if !known.participants[c].contains(id) || known.participants[other].contains(id) {
                log.problem(format!(
                    "{} saw a participant not its own: {p}",
                    CITIES[c].0
                ));
            }
        }
    }
}

/// Whether PostgreSQL accepts a connection and answers a query.
async fn postgres_answers(url: &str) -> bool {
    let attempt = async {
        let mut c = PgConnection::connect(url).await?;
        c.execute("select 1").await?;
        c.close().await
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), attempt).await,
        Ok(Ok(()))
    )
}

/// Ids in `data` at `path` (a list of objects with `id`).
fn ids(data: &Value, pointer: &str) -> HashSet<String> {
    data.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v["id"].as_str().map(str::to_owned))
        .collect()
}

/// Deletes the gateway's Redis keys when dropped (also on a panic).
struct RedisKeys(String);

impl Drop for RedisKeys {
    fn drop(&mut self) {
        let prefix = self.0.clone();
        let url = redis_url();
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(async {
                    tokio::time::timeout(
                        Duration::from_secs(3),
                        soi_cache::delete_prefixed(&url, &prefix),
                    )
                    .await
                });
            }
        })
        .join();
    }
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// One restart under load; returns (outage, recovery): how long PostgreSQL
/// did not answer, and how long after it answered again the gateway
/// answered a signed-in read successfully.
async fn restart(
    pg: &Arc<PgCluster>,
    mode: &'static str,
    app: &TestApp,
    token: &str,
) -> (Duration, Duration) {
    let url = pg.url("soi");
    let started = Instant::now();
    let cluster = pg.clone();
    let mut outage = tokio::task::spawn_blocking(move || {
        if mode == "fast" {
            cluster.restart("fast");
        } else {
            cluster.stop(mode);
            std::thread::sleep(Duration::from_secs(1));
            cluster.start_again();
        }
        Instant::now()
    });
    // When PostgreSQL answers again, after having stopped answering (or,
    // should the probe never catch it down, when pg_ctl says it is up).
    let (mut seen_down, mut done_at) = (false, None);
    let back_at = loop {
        let now = Instant::now();
        let up = postgres_answers(&url).await;
        if up && seen_down {
            break now;
        }
        seen_down |= !up;
        if done_at.is_none()
            && let Ok(Ok(t)) = tokio::time::timeout(Duration::from_millis(1), &mut outage).await
        {
            done_at = Some(t);
        }
        if let Some(t) = done_at
            && !seen_down
        {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "PostgreSQL did not come back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let probe = Log::default();
    let recovered_at = loop {
        if send(app, &probe, token, RINKS, json!({})).await.is_some() {
            break Instant::now();
        }
        assert!(
            back_at.elapsed() < Duration::from_secs(30),
            "the gateway did not answer again within 30 s of PostgreSQL"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    if done_at.is_none() {
        outage.await.expect("pg_ctl");
    }
    (back_at - started, recovered_at - back_at)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load_loses_no_write_and_mixes_no_city() {
    let pg = Arc::new(
        tokio::task::spawn_blocking(PgCluster::start)
            .await
            .expect("cluster"),
    );
    soi_db::admin::recreate_database(&pg.url("postgres"), "soi", None)
        .await
        .expect("create database");
    let db_config = soi_db::DbConfig::new(pg.url("soi"));
    let sys = soi_db::SystemDb::connect(&db_config)
        .await
        .expect("owner pool");
    sys.migrate(&soi_core::SystemCtx::new("test"))
        .await
        .expect("migrate");
    let db = soi_db::Db::connect(&db_config).await.expect("runtime pool");
    soi_seed::demo::run(&sys, &db, 1, &[]).await.expect("demo");
    sys.close().await;
    db.close().await;

    // The gateway as `soi serve` builds it (the pool's defaults), its Redis
    // keys apart; no rate limits: two clients send all the load.
    let prefix = format!("soi_pgfault_{}", std::process::id());
    let _keys = RedisKeys(prefix.clone());
    let app = Arc::new(
        TestApp::spawn_on(db_config, &redis_url(), &prefix, |s| {
            s.gql_limits.rate_limits = false
        })
        .await,
    );
    let mut tokens = Vec::new();
    for (slug, _) in CITIES {
        tokens.push(app.login(&format!("admin@{slug}.soi.test")).await);
    }
    let before = Log::default();
    let mut known = Known {
        rinks: Default::default(),
        participants: Default::default(),
    };
    for (c, token) in tokens.iter().enumerate() {
        let rinks = send(&app, &before, token, RINKS, json!({}))
            .await
            .expect("rinks");
        known.rinks[c] = ids(&rinks, "/rinks");
        let people = send(&app, &before, token, PARTICIPANTS, json!({}))
            .await
            .expect("participants");
        known.participants[c] = ids(&people, "/participants/nodes");
        assert!(!known.rinks[c].is_empty() && !known.participants[c].is_empty());
    }
    let known = Arc::new(known);

    // The load: per city one writer and two readers, without pause.
    let log = Arc::new(Log::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for c in 0..2 {
        for role in 0..3 {
            let (app, log, stop, known, token) = (
                app.clone(),
                log.clone(),
                stop.clone(),
                known.clone(),
                tokens[c].clone(),
            );
            load.spawn(async move {
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    if role == 0 {
                        let name = format!("{} {n}", CITIES[c].1);
                        let vars = json!({ "n": name, "a": format!("Fault street {n}") });
                        if let Some(data) = send(&app, &log, &token, CREATE_RINK, vars).await {
                            let id = data["createRink"]["id"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned();
                            log.acked.lock().expect("log").push((c, id, name));
                        }
                    } else {
                        let query = if (n + role).is_multiple_of(2) {
                            RINKS
                        } else {
                            PARTICIPANTS
                        };
                        if let Some(data) = send(&app, &log, &token, query, json!({})).await {
                            check_rows(&known, &log, c, query, &data);
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            });
        }
    }

    let mut rounds = Vec::new();
    for mode in ["fast", "immediate"] {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let ok_before = log.ok.load(Ordering::Relaxed);
        let (outage, recovery) = restart(&pg, mode, &app, &tokens[0]).await;
        let ok_restart = log.ok.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let ok_after = log.ok.load(Ordering::Relaxed);
        assert!(
            ok_before > 0 && ok_after > ok_restart,
            "the load made no progress around the restart"
        );
        rounds.push((mode, outage, recovery));
    }
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = load.join_next().await {
        done.expect("a load task panicked");
    }

    // Every write answered successfully is there, in its own city.
    let acked = log.acked.lock().expect("log").clone();
    let mut acked_per_city = [0; 2];
    for c in 0..2 {
        let rinks = send(&app, &log, &tokens[c], RINKS, json!({}))
            .await
            .expect("rinks after");
        check_rows(&known, &log, c, RINKS, &rinks);
        let now = ids(&rinks, "/rinks");
        for (city, id, name) in acked.iter().filter(|(city, ..)| *city == c) {
            acked_per_city[*city] += 1;
            assert!(
                now.contains(id),
                "{} lost the acknowledged rink {name} ({id})",
                CITIES[c].0
            );
        }
    }

    let refused = log.refused.lock().expect("log").clone();
    println!(
        "postgres restart under load: {} answered, refused by (HTTP status, code): {refused:?}; \
         rinks created and all found afterwards: {} in {}, {} in {}",
        log.ok.load(Ordering::Relaxed),
        acked_per_city[0],
        CITIES[0].0,
        acked_per_city[1],
        CITIES[1].0
    );
    for (mode, outage, recovery) in &rounds {
        println!(
            "restart -m {mode}: PostgreSQL answered again {} ms after the restart began; \
             the gateway answered successfully {} ms after that",
            outage.as_millis(),
            recovery.as_millis()
        );
    }
    let problems = log.problems.lock().expect("log").clone();
    assert!(
        problems.is_empty(),
        "rules broken:\n{}",
        problems.join("\n")
    );
    for (mode, _, recovery) in &rounds {
        assert!(
            *recovery <= RECOVERY_BOUND,
            "after restart -m {mode} the gateway took {recovery:?} to answer again (bound {RECOVERY_BOUND:?})"
        );
    }
    assert!(
        acked_per_city.iter().all(|n| *n > 0),
        "no write was acknowledged"
    );
    drop(app);
}
