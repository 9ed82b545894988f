//! One step's figures: launches, catalog, the chapter shapes (alternated
//! with the baseline database) and the fresh national report through a
//! gateway without Redis.

use super::populate::Site;
use super::{Args, JWT_SECRET};
use crate::app::{self, Gateway};
use crate::gateway::{SHAPES, server::check_response};
use crate::reports::{accounts, national_query, request, sample};
use crate::scratch::Scratch;
use crate::table::{Figures, Table, figures, ms, num, text};
use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use soi_auth::TokenKeys;
use soi_core::{Principal, Role};
use soi_db::bench::CatalogSize;
use std::time::{Duration, Instant};

/// The longest wait for autovacuum to finish before a step is measured.
const SETTLE_BOUND: Duration = Duration::from_secs(300);

/// Blocks each chapter shape's measured requests are split into, taken in
/// turn on the step's database and on the baseline.
const BLOCKS: usize = 10;

/// The national groupings measured, in the order printed.
pub(super) const GROUPINGS: [&str; 3] = ["MONTH", "CITY", "SEASON"];

/// What one step measured.
pub(super) struct StepFigures {
    pub(super) cities: u32,
    launches: Figures,
    launched: usize,
    catalog: CatalogSize,
    /// How long autovacuum kept running after the load, and whether it was
    /// still running when the wait ended.
    settled: (Duration, bool),
    /// Shapes (a) and (b), as in [`SHAPES`].
    pub(super) chapter: Vec<Figures>,
    /// The same shapes on the baseline database, alternated with `chapter`.
    baseline: Vec<Figures>,
    /// The answers' sizes, here and on the baseline.
    chapter_answers: Vec<(String, String)>,
    /// As in [`GROUPINGS`].
    pub(super) national: Vec<Figures>,
    national_rows: Vec<usize>,
}

/// The database kept at the first step's cities, settled once.
pub(super) struct Baseline<'a> {
    scratch: &'a Scratch,
    site: &'a Site,
}

impl<'a> Baseline<'a> {
    pub(super) async fn settle(scratch: &'a Scratch, site: &'a Site) -> Result<Self> {
        soi_db::bench::settle(&site.pools().sys, SETTLE_BOUND).await?;
        Ok(Self { scratch, site })
    }
}

/// A gateway, its chapter admin's token and the chapter's season.
struct Chapter {
    gw: Gateway,
    token: String,
    season: String,
}

impl Chapter {
    /// A gateway on `scratch` (as `soi serve` builds it, without Redis) and
    /// the chapter city's first season.
    async fn start(scratch: &Scratch, args: &Args, token: String) -> Result<Self> {
        let db = scratch.config(args.pool, 2.min(args.pool));
        let gw = Gateway::start(app::settings(db, JWT_SECRET, 24 * 3600)).await?;
        let seasons = json!({ "query": "{ seasons(first: 1) { edges { node { id } } } }" });
        let found = request(&reqwest::Client::new(), gw.addr, &token, &seasons).await;
        let season = found.map(|(_, body)| {
            body["data"]["seasons"]["edges"][0]["node"]["id"]
                .as_str()
                .map(str::to_owned)
        });
        match season {
            Ok(Some(season)) => Ok(Self { gw, token, season }),
            Ok(None) => {
                gw.stop().await;
                anyhow::bail!("the chapter city has no season")
            }
            Err(e) => {
                gw.stop().await;
                Err(e)
            }
        }
    }

    fn body(&self, query: &str) -> Value {
        json!({ "query": query, "variables": { "s": self.season } })
    }
}

/// The accounts the tokens stand for exist once the chapter city does.
async fn tokens(scratch: &Scratch, site: &Site) -> Result<(String, String)> {
    let keys = TokenKeys::new(&JWT_SECRET.to_owned().into(), 24 * 3600);
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let city = site.chapter_city().await?.id;
    // Each step signs in anew; its own accounts keep the steps apart.
    let (national, admin) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    accounts(scratch, national, admin, city).await?;
    let national =
        Principal::new(national, Role::National, None, None, None).context("national principal")?;
    let admin = Principal::new(admin, Role::ChapterAdmin, Some(city), None, None)
        .context("chapter admin principal")?;
    Ok((keys.issue(&national, now)?, keys.issue(&admin, now)?))
}

pub(super) async fn step(
    scratch: &Scratch,
    site: &Site,
    baseline: &Baseline<'_>,
    args: &Args,
    cities: u32,
    launches: Vec<Duration>,
) -> Result<StepFigures> {
    let launched = launches.len();
    let launches = figures(launches, Duration::from_secs(1));
    let catalog = soi_db::bench::catalog_size(&site.pools().sys).await?;
    // What the load left behind (autovacuum analysing the new partitions,
    // their pages not yet written out) ran during the first runs' requests
    // and made steps differ by more than the number of cities did.
    let settled = soi_db::bench::settle(&site.pools().sys, SETTLE_BOUND).await?;
    let (national_token, admin_token) = tokens(scratch, site).await?;
    let (_, base_token) = tokens(baseline.scratch, baseline.site).await?;
    // Both gateways start anew at each step, with new connections.
    let here = Chapter::start(scratch, args, admin_token).await?;
    let base = match Chapter::start(baseline.scratch, args, base_token).await {
        Ok(base) => base,
        Err(e) => {
            here.gw.stop().await;
            return Err(e);
        }
    };
    let measured = requests(&here, &base, args, cities, &national_token).await;
    here.gw.stop().await;
    base.gw.stop().await;
    let (chapter, baseline, chapter_answers, national, national_rows) = measured?;
    Ok(StepFigures {
        cities,
        launches,
        launched,
        catalog,
        settled,
        chapter,
        baseline,
        chapter_answers,
        national,
        national_rows,
    })
}

type Measured = (
    Vec<Figures>,
    Vec<Figures>,
    Vec<(String, String)>,
    Vec<Figures>,
    Vec<usize>,
);

async fn requests(
    here: &Chapter,
    base: &Chapter,
    args: &Args,
    cities: u32,
    national_token: &str,
) -> Result<Measured> {
    let client = reqwest::Client::new();
    let (mut chapter, mut baseline, mut answers) = (Vec::new(), Vec::new(), Vec::new());
    for shape in &SHAPES {
        let body = here.body(shape.query);
        let (_, value) = request(&client, here.gw.addr, &here.token, &body).await?;
        let here_answer = check_response(shape, &value)?;
        let base_body = base.body(shape.query);
        let (_, value) = request(&client, base.gw.addr, &base.token, &base_body).await?;
        answers.push((here_answer, check_response(shape, &value)?));
        let (a, b) = alternated(&client, (here, &body), (base, &base_body), args.chapter).await?;
        chapter.push(a);
        baseline.push(b);
    }
    let gw = &here.gw;
    let (mut national, mut rows) = (Vec::new(), Vec::new());
    for grouping in GROUPINGS {
        let sort = if grouping == "CITY" {
            json!({ "field": "ATTENDANCE_RATE", "descending": true })
        } else {
            Value::Null
        };
        let body = json!({
            "query": national_query(),
            "variables": { "f": args.from, "t": args.to, "g": grouping, "s": sort },
        });
        let (_, value) = request(&client, gw.addr, national_token, &body).await?;
        let n = value["data"]["nationalReport"]["rows"]
            .as_array()
            .map_or(0, Vec::len);
        ensure!(n > 0, "nationalReport {grouping}: no rows");
        if grouping == "CITY" {
            ensure!(
                n == cities as usize,
                "nationalReport CITY: {n} rows for {cities} cities"
            );
        }
        rows.push(n);
        national.push(timed(&client, gw, national_token, &body, args.national).await?);
    }
    Ok((chapter, baseline, answers, national, rows))
}

/// `n` requests on each of two gateways after a warm-up of each, in
/// [`BLOCKS`] blocks taken in turn (which goes first alternates too), so
/// that both see the same moments of the machine.
async fn alternated(
    client: &reqwest::Client,
    (a, a_body): (&Chapter, &Value),
    (b, b_body): (&Chapter, &Value),
    n: usize,
) -> Result<(Figures, Figures)> {
    let (a_body, b_body) = (a_body.to_string(), b_body.to_string());
    let warm = (n / 10).max(10);
    sample(client, a.gw.addr, &a.token, &a_body, warm).await?;
    sample(client, b.gw.addr, &b.token, &b_body, warm).await?;
    let (mut on_a, mut on_b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut wall_a, mut wall_b) = (Duration::ZERO, Duration::ZERO);
    let block = n.div_ceil(BLOCKS);
    for i in 0..BLOCKS {
        let take = block.min(n - on_a.len());
        for first in [i % 2 == 0, i % 2 != 0] {
            let (gw, body, out, wall) = if first {
                (a, &a_body, &mut on_a, &mut wall_a)
            } else {
                (b, &b_body, &mut on_b, &mut wall_b)
            };
            let t = Instant::now();
            out.extend(sample(client, gw.gw.addr, &gw.token, body, take).await?);
            *wall += t.elapsed();
        }
    }
    Ok((figures(on_a, wall_a), figures(on_b, wall_b)))
}

/// A tenth as many warm-up requests (at least 10), then `n` measured ones.
async fn timed(
    client: &reqwest::Client,
    gw: &Gateway,
    token: &str,
    body: &Value,
    n: usize,
) -> Result<Figures> {
    let body = body.to_string();
    sample(client, gw.addr, token, &body, (n / 10).max(10)).await?;
    let t = Instant::now();
    let samples = sample(client, gw.addr, token, &body, n).await?;
    Ok(figures(samples, t.elapsed()))
}

fn mb(bytes: i64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn pair(f: &Figures) -> String {
    format!("{} / {}", ms(f.p50), ms(f.p99))
}

impl StepFigures {
    pub(super) fn print(&self) {
        println!();
        println!("## {} cities", self.cities);
        println!();
        println!(
            "launched {} cities now: p50 {} ms, p99 {} ms per launch; {} partitions, {} relations; \
             catalog {} MB, database {} MB",
            self.launched,
            ms(self.launches.p50),
            ms(self.launches.p99),
            self.catalog.partitions,
            self.catalog.relations,
            mb(self.catalog.catalog_bytes),
            mb(self.catalog.database_bytes)
        );
        println!(
            "settled: autovacuum ran {:.1} s more after the load{}; then a checkpoint",
            self.settled.0.as_secs_f64(),
            if self.settled.1 {
                " and was still running when the wait ended"
            } else {
                ""
            }
        );
        println!();
        let table = Table::start(&[
            text("request"),
            text("answer"),
            num("mean ms"),
            num("p50 ms"),
            num("p99 ms"),
        ]);
        for (((shape, f), b), answer) in SHAPES
            .iter()
            .zip(&self.chapter)
            .zip(&self.baseline)
            .zip(&self.chapter_answers)
        {
            for (label, answer, f) in [
                (shape.label.to_owned(), &answer.0, f),
                (
                    format!("{}, baseline database (alternated)", shape.label),
                    &answer.1,
                    b,
                ),
            ] {
                table.row(&[label, answer.clone(), ms(f.mean), ms(f.p50), ms(f.p99)]);
            }
        }
        for ((g, f), rows) in GROUPINGS
            .iter()
            .zip(&self.national)
            .zip(&self.national_rows)
        {
            table.row(&[
                format!("nationalReport {g}, fresh"),
                format!("{rows} rows"),
                ms(f.mean),
                ms(f.p50),
                ms(f.p99),
            ]);
        }
    }

    pub(super) fn summary_cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.cities.to_string(),
            pair(&self.launches),
            self.catalog.partitions.to_string(),
            mb(self.catalog.catalog_bytes),
            mb(self.catalog.database_bytes),
        ];
        for i in 0..self.chapter.len() {
            cells.push(pair(&self.chapter[i]));
            cells.push(format!("{:.2}", self.ratio(i)));
        }
        cells.extend(self.national.iter().map(pair));
        cells
    }

    /// Shape `i`'s p50 here over its p50 on the baseline, alternated.
    pub(super) fn ratio(&self, i: usize) -> f64 {
        self.chapter[i].p50.as_secs_f64() / self.baseline[i].p50.as_secs_f64()
    }
}
