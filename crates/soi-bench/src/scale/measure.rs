//! One step's figures: launches, catalog, the chapter shapes and the fresh
//! national report through a gateway without Redis.

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
    chapter_answers: Vec<String>,
    /// As in [`GROUPINGS`].
    pub(super) national: Vec<Figures>,
    national_rows: Vec<usize>,
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
    let db = scratch.config(args.pool, 2.min(args.pool));
    let gw = Gateway::start(app::settings(db, JWT_SECRET, 24 * 3600)).await?;
    let measured = requests(&gw, args, cities, &national_token, &admin_token).await;
    gw.stop().await;
    let (chapter, chapter_answers, national, national_rows) = measured?;
    Ok(StepFigures {
        cities,
        launches,
        launched,
        catalog,
        settled,
        chapter,
        chapter_answers,
        national,
        national_rows,
    })
}

type Measured = (Vec<Figures>, Vec<String>, Vec<Figures>, Vec<usize>);

async fn requests(
    gw: &Gateway,
    args: &Args,
    cities: u32,
    national_token: &str,
    admin_token: &str,
) -> Result<Measured> {
    let client = reqwest::Client::new();
    let addr = gw.addr;
    let seasons = json!({ "query": "{ seasons(first: 1) { edges { node { id } } } }" });
    let (_, body) = request(&client, addr, admin_token, &seasons).await?;
    let season = body["data"]["seasons"]["edges"][0]["node"]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the chapter city has no season: {body}"))?;
    let (mut chapter, mut answers) = (Vec::new(), Vec::new());
    for shape in &SHAPES {
        let body = json!({ "query": shape.query, "variables": { "s": season } });
        let (_, value) = request(&client, addr, admin_token, &body).await?;
        answers.push(check_response(shape, &value)?);
        chapter.push(timed(&client, gw, admin_token, &body, args.chapter).await?);
    }
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
        let (_, value) = request(&client, addr, national_token, &body).await?;
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
    Ok((chapter, answers, national, rows))
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
        for ((shape, f), answer) in SHAPES.iter().zip(&self.chapter).zip(&self.chapter_answers) {
            table.row(&[
                shape.label.to_owned(),
                answer.clone(),
                ms(f.mean),
                ms(f.p50),
                ms(f.p99),
            ]);
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
        cells.extend(self.chapter.iter().map(pair));
        cells.extend(self.national.iter().map(pair));
        cells
    }
}
