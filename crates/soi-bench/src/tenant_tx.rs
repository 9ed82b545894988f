//! `soi-bench tenant-tx` — the cost of a tenant transaction (begin + set the
//! city + one indexed read of a partitioned table + commit) against the same
//! read through the owner's connection (a superuser locally, bypassing RLS),
//! at each number of launched cities given.

use crate::scratch::Scratch;
use crate::table::{Figures, Table, figures, ms, num, text};
use anyhow::{Result, bail};
use soi_core::{CityScope, SystemCtx};
use soi_db::bench;
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
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
}

pub async fn run(args: Args) -> Result<()> {
    let Args {
        cities,
        iterations,
        participants,
        sessions,
    } = args;
    if cities.is_empty() || iterations == 0 {
        bail!("give at least one number of cities and one iteration");
    }
    println!(
        "# soi-bench tenant-tx --cities {} --iterations {iterations} --participants {participants} --sessions {sessions}",
        cities
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    let table = Table::start(&[
        num("cities"),
        text("mode"),
        num("mean ms"),
        num("p50 ms"),
        num("p99 ms"),
        num("tx/s"),
        num("ratio p50"),
    ]);
    for &n in &cities {
        let (tenant, owner) = Scratch::with(&format!("soi_bench_tenant_{n}"), async |s| {
            run_at(s, n, iterations, participants, sessions).await
        })
        .await?;
        let ratio = tenant.p50.as_secs_f64() / owner.p50.as_secs_f64();
        for (mode, f) in [
            ("owner (superuser, no RLS)", &owner),
            ("tenant tx (soi_app, RLS)", &tenant),
        ] {
            table.row(&[
                n.to_string(),
                mode.to_owned(),
                ms(f.mean),
                ms(f.p50),
                ms(f.p99),
                format!("{:.0}", f.per_second),
                if mode.starts_with("tenant") {
                    format!("{ratio:.2}")
                } else {
                    "1.00".into()
                },
            ]);
        }
    }
    Ok(())
}

async fn run_at(
    scratch: &Scratch,
    cities: u32,
    iterations: usize,
    participants: u32,
    sessions: u32,
) -> Result<(Figures, Figures)> {
    // One connection each: the latency of one transaction, nothing queued.
    let pools = scratch.pools(1, 1).await?;
    pools.seed_scale(cities, participants, sessions).await?;
    let (sys, db) = (&pools.sys, &pools.db);
    let all = sys.cities().await?;
    let ctx = SystemCtx::new("bench");
    // Reads spread over up to five cities, the same for both modes.
    let mut work: Vec<(CityScope, soi_core::EnrollmentId)> = Vec::new();
    for city in all.iter().take(5) {
        let scope = ctx.in_city(city.id);
        for id in bench::sample_enrollments(db, &scope, 40).await? {
            work.push((scope, id));
        }
    }
    let warm = iterations / 10 + 1;
    let mut run_tenant = Vec::with_capacity(iterations);
    let mut run_owner = Vec::with_capacity(iterations);
    for i in 0..warm {
        let (scope, id) = &work[i % work.len()];
        bench::tenant_read(db, scope, *id).await?;
        bench::owner_read(sys, scope.city(), *id).await?;
    }
    let started = Instant::now();
    for i in 0..iterations {
        let (scope, id) = &work[i % work.len()];
        let t = Instant::now();
        bench::owner_read(sys, scope.city(), *id).await?;
        run_owner.push(t.elapsed());
    }
    let owner_wall = started.elapsed();
    let started = Instant::now();
    for i in 0..iterations {
        let (scope, id) = &work[i % work.len()];
        let t = Instant::now();
        bench::tenant_read(db, scope, *id).await?;
        run_tenant.push(t.elapsed());
    }
    let tenant_wall = started.elapsed();

    pools.close().await;
    Ok((
        figures(run_tenant, tenant_wall),
        figures(run_owner, owner_wall),
    ))
}
