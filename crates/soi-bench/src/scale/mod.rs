//! `soi-bench scale` — how far one PostgreSQL goes with the number of
//! cities: launches in steps (`--steps 5,200,2000`), and at each step the
//! same chapter city's two request shapes and the national report, fresh.
//!
//! Steps: one fresh, migrated database. At each step the cities up to the
//! step's number are launched one after another through
//! `SystemDb::launch_city` (what `soi city launch` runs: the city row and
//! its partitions, `soi_ensure_city_partitions`), each launch timed. The
//! new cities are seeded through tenant transactions (the scale seed): the
//! measured chapter city (`scale-0001`, launched in the first step) gets a
//! full season, every other city a small one; then the load is tidied as
//! the seed command tidies it. Then the catalog is counted and sized, and a
//! gateway built as `soi serve` builds it, without Redis (so every national
//! report is computed from PostgreSQL: fresh), answers:
//!
//! - the chapter shapes of `soi-bench gateway-load`, (a) a page of
//!   participants and (b) groups with members' attendance rates, as the
//!   admin of `scale-0001`, the same city at every step;
//! - `nationalReport` grouped by month, by city (sorted by attendance rate)
//!   and by season, as the national role.
//!
//! The chapter shapes are also measured, at every step, on a second
//! database that stays at `--baseline` cities (5; built the same way),
//! alternating blocks of requests between the two gateways. Steps minutes
//! apart differ by the machine's drift as much as by the cities (±15 % here);
//! the alternated pair compares the two databases in the same seconds, and
//! at the first step, two equal databases, shows what the method itself
//! reads as a difference.
//!
//! Requests are sequential (one client, one keep-alive connection) after a
//! warm-up; latency is client side. Both databases are dropped at the end,
//! whatever the outcome, unless `--keep` leaves them for a closer look
//! (psql, perf); `--reuse` then measures on them again without launching,
//! and leaves them (e.g. `--steps 2000 --reuse` after a kept 2,000-city
//! run).

mod measure;
mod populate;

use crate::scratch::Scratch;
use crate::table::{Table, ms, num, text};
use anyhow::{Result, ensure};
use measure::StepFigures;

const DB_NAME: &str = "soi_bench_scale";
/// The database kept at `--baseline` cities, measured beside every step.
const BASE_NAME: &str = "soi_bench_scale_base";
const JWT_SECRET: &str = "soi-bench-scale-secret-0123456789abcdef01";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Numbers of launched cities to measure at, ascending, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "5,200,2000")]
    steps: Vec<u32>,
    /// Participants of the measured chapter city (groups of twenty).
    #[arg(long, default_value_t = 300)]
    participants: u32,
    /// Sessions per group of the measured chapter city, every one marked.
    #[arg(long, default_value_t = 20)]
    sessions: u32,
    /// Participants of every other city.
    #[arg(long, default_value_t = 20)]
    other_participants: u32,
    /// Sessions per group of every other city.
    #[arg(long, default_value_t = 4)]
    other_sessions: u32,
    /// Measured requests of each chapter shape at each step.
    #[arg(long, default_value_t = 400)]
    chapter: usize,
    /// Measured requests of each national grouping at each step.
    #[arg(long, default_value_t = 100)]
    national: usize,
    /// First month of the national reports (`YYYY-MM`).
    #[arg(long, default_value = "2026-08")]
    from: String,
    /// Last month of the national reports (`YYYY-MM`).
    #[arg(long, default_value = "2027-07")]
    to: String,
    /// The gateway's pool size (`SOI_DB_MAX_CONNECTIONS`; its default is 16).
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// Cities of the baseline database the chapter shapes are alternated with.
    #[arg(long, default_value_t = 5)]
    baseline: u32,
    /// Leave both databases on the server at the end (for psql or perf).
    #[arg(long)]
    keep: bool,
    /// Open the databases a finished `--keep` run left, with their cities
    /// (all seeded), instead of making them anew, and leave them at the end
    /// (every step must be at least their cities).
    #[arg(long)]
    reuse: bool,
}

impl Args {
    fn command(&self) -> String {
        let steps: Vec<String> = self.steps.iter().map(u32::to_string).collect();
        format!(
            "soi-bench scale --steps {} --participants {} --sessions {} --other-participants {} \
             --other-sessions {} --chapter {} --national {} --from {} --to {} --pool {} --baseline {}{}{}",
            steps.join(","),
            self.participants,
            self.sessions,
            self.other_participants,
            self.other_sessions,
            self.chapter,
            self.national,
            self.from,
            self.to,
            self.pool,
            self.baseline,
            if self.keep { " --keep" } else { "" },
            if self.reuse { " --reuse" } else { "" },
        )
    }
}

pub async fn run(args: Args) -> Result<()> {
    ensure!(
        !args.steps.is_empty() && args.steps[0] > 0 && args.steps.windows(2).all(|w| w[0] < w[1]),
        "--steps must be ascending numbers of cities, the first at least 1"
    );
    ensure!(
        args.chapter > 0 && args.national > 0 && args.pool > 0 && args.baseline > 0,
        "--chapter, --national, --pool and --baseline must be at least 1"
    );
    println!("# {}", args.command());
    let started = std::time::Instant::now();
    let kept = (args.reuse, args.keep);
    let outcome = Scratch::with_kept(DB_NAME, kept, async |s| {
        Scratch::with_kept(BASE_NAME, kept, async |b| steps(s, b, &args).await).await
    })
    .await;
    println!();
    println!("total wall time {:.0} s", started.elapsed().as_secs_f64());
    outcome
}

async fn steps(scratch: &Scratch, base_scratch: &Scratch, args: &Args) -> Result<()> {
    let mut site = populate::Site::open(scratch).await?;
    let mut base = populate::Site::open(base_scratch).await?;
    let mut all: Vec<StepFigures> = Vec::new();
    let outcome = async {
        ensure!(
            site.launched() <= args.steps[0] && base.launched() <= args.baseline,
            "the reused databases hold {} and {} cities: more than the first step or the baseline",
            site.launched(),
            base.launched()
        );
        println!("baseline database {BASE_NAME}: {} cities", args.baseline);
        base.launch_up_to(args.baseline).await?;
        base.seed_new(args).await?;
        let baseline = measure::Baseline::settle(base_scratch, &base).await?;
        for &n in &args.steps {
            let launched = site.launch_up_to(n).await?;
            site.seed_new(args).await?;
            let figures = measure::step(scratch, &site, &baseline, args, n, launched).await?;
            figures.print();
            all.push(figures);
        }
        anyhow::Ok(())
    }
    .await;
    base.close().await;
    site.close().await;
    outcome?;
    summary(&all, args);
    Ok(())
}

/// The table of every step, and the goals: chapter p50 at the last step
/// against the baseline database in the same sitting (and, for reference,
/// against the first step), national report fresh at the last.
fn summary(all: &[StepFigures], args: &Args) {
    println!();
    println!("## Summary");
    println!();
    let table = Table::start(&[
        num("cities"),
        num("launch p50 / p99 ms"),
        num("partitions"),
        num("catalog MB"),
        num("database MB"),
        num("(a) page p50 / p99 ms"),
        num("(a) ÷ baseline"),
        num("(b) groups p50 / p99 ms"),
        num("(b) ÷ baseline"),
        num("national MONTH p50 / p99 ms"),
        num("national CITY p50 / p99 ms"),
        num("national SEASON p50 / p99 ms"),
    ]);
    for s in all {
        table.row(&s.summary_cells());
    }
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return;
    };
    println!();
    let goals = Table::start(&[text("goal"), num("measured"), text("verdict")]);
    for (i, label) in ["(a) page of participants", "(b) groups + attendance rates"]
        .iter()
        .enumerate()
    {
        let ratio = last.ratio(i);
        goals.row(&[
            format!(
                "{label}: p50 at {} cities ≤ 1.15 × p50 at {} (alternated with the baseline)",
                last.cities, args.baseline
            ),
            format!("{ratio:.2}"),
            verdict(ratio <= 1.15).to_owned(),
        ]);
        if all.len() < 2 {
            continue;
        }
        let sequential = last.chapter[i].p50.as_secs_f64() / first.chapter[i].p50.as_secs_f64();
        goals.row(&[
            format!(
                "{label}: p50 at {} cities ÷ p50 at {} (steps minutes apart)",
                last.cities, first.cities
            ),
            format!("{sequential:.2}"),
            "for reference".to_owned(),
        ]);
    }
    for (g, f) in measure::GROUPINGS.iter().zip(&last.national) {
        goals.row(&[
            format!(
                "nationalReport {g} fresh at {} cities ≤ 50 ms (p50)",
                last.cities
            ),
            ms(f.p50),
            verdict(f.p50 <= std::time::Duration::from_millis(50)).to_owned(),
        ]);
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}
