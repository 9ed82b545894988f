//! A large dataset for benchmarks: many cities, each with one season of many
//! participants in groups of twenty, every session of every group marked.
//! Rows go in batches of unnested arrays through tenant transactions (COPY is
//! refused on tables with row-level security), several cities at once.

use crate::names::GENERIC_UNIVERSITIES;
use crate::plan::{self, Spec};
use crate::rng::Rng;
use crate::{Result, SeedError};
use chrono::{NaiveDate, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use soi_core::{CityZone, Slug, SystemCtx};
use soi_db::cities::{City, NewCity};
use soi_db::program::{seasons, skills};
use soi_db::{Db, SystemDb};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[derive(Debug, Clone, Copy)]
pub struct ScaleSpec {
    pub cities: u32,
    pub participants: u32,
    pub sessions: u32,
    pub seed: u64,
    /// Cities seeded at once.
    pub concurrency: usize,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ScaleReport {
    pub cities: u32,
    pub cities_seeded: u32,
    pub participants: u64,
    pub sessions: u64,
    pub attendance: u64,
    pub elapsed: Duration,
}

pub fn slug(i: u32) -> String {
    format!("scale-{i:04}")
}

/// Where scale city `i` is drawn: near one of the largest cities (in turn),
/// each a little further out, so the map shows every one.
fn position(i: u32) -> soi_core::InputResult<soi_core::Position> {
    let centres = crate::names::LARGEST_CITY_CENTRES;
    let (lat, lon) = centres[(i as usize) % centres.len()];
    let ring = f64::from(i / 16);
    let angle = f64::from(i) * 2.4;
    soi_core::Position::new(
        lat + 0.12 * ring * angle.sin(),
        lon + 0.18 * ring * angle.cos(),
    )
}

/// Launches `scale-0001` … and seeds each that is not seeded yet.
pub async fn run(
    sys: &SystemDb,
    db: &Db,
    spec: ScaleSpec,
    show_progress: bool,
) -> Result<ScaleReport> {
    if spec.cities == 0 || spec.participants == 0 || spec.sessions == 0 {
        return Err(SeedError::Invalid(
            "cities, participants and sessions must each be at least 1".into(),
        ));
    }
    if spec.participants > 100_000 || spec.sessions > 1_000 || spec.cities > 9_999 {
        return Err(SeedError::Invalid(
            "at most 9999 cities, 100000 participants per city and 1000 sessions per group".into(),
        ));
    }
    let started = Instant::now();
    let ctx = SystemCtx::new("seed-scale");
    let mut cities = Vec::with_capacity(spec.cities as usize);
    for i in 1..=spec.cities {
        cities.push(sys.launch_city(&ctx, &new_city(i)?).await?.city);
    }
    let mut report = seed_launched(db, cities, spec, show_progress).await?;
    sys.tidy_after_bulk_load().await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Scale city `i` as it is launched (`scale-0001` is 1).
pub fn new_city(i: u32) -> Result<NewCity> {
    let slug = slug(i);
    Ok(NewCity {
        slug: Slug::parse(&slug).map_err(|e| SeedError::Invalid(e.to_string()))?,
        name_kk: format!("Сынақ қаласы {i}"),
        name_ru: format!("Тестовый город {i}"),
        name_en: format!("Scale City {i}"),
        zone: CityZone::parse("Asia/Almaty").map_err(|e| SeedError::Invalid(e.to_string()))?,
        launched_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
        position: Some(position(i).map_err(|e| SeedError::Invalid(e.to_string()))?),
    })
}

/// Seeds each of the launched `cities` that is not seeded yet with
/// `spec`'s season (`spec.cities` is not used); `spec.concurrency` at once.
/// The caller tidies after the load ([`SystemDb::tidy_after_bulk_load`]).
pub async fn seed_launched(
    db: &Db,
    cities: Vec<City>,
    spec: ScaleSpec,
    show_progress: bool,
) -> Result<ScaleReport> {
    let started = Instant::now();
    let ctx = SystemCtx::new("seed-scale");
    let total_rows = cities.len() as u64 * u64::from(spec.participants) * u64::from(spec.sessions);
    let bar = ProgressBar::with_draw_target(
        Some(total_rows),
        if show_progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {human_pos}/{human_len} attendance rows ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let bar = Arc::new(bar);
    let limit = Arc::new(tokio::sync::Semaphore::new(spec.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut report = ScaleReport {
        cities: u32::try_from(cities.len()).unwrap_or(u32::MAX),
        ..ScaleReport::default()
    };
    for city in cities {
        let (db, bar, limit) = (db.clone(), bar.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit
                .acquire_owned()
                .await
                .map_err(|_| SeedError::Invalid("seeding was stopped".into()))?;
            seed_city(&db, &ctx, &city, spec, &bar).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let counts =
            joined.map_err(|e| SeedError::Invalid(format!("a seeding task failed: {e}")))??;
        if let Some(c) = counts {
            report.cities_seeded += 1;
            report.participants += c.participants;
            report.sessions += c.sessions;
            report.attendance += c.attendance;
        } else {
            bar.inc(u64::from(spec.participants) * u64::from(spec.sessions));
        }
    }
    bar.finish_and_clear();
    report.elapsed = started.elapsed();
    Ok(report)
}

async fn seed_city(
    db: &Db,
    ctx: &SystemCtx,
    city: &City,
    spec: ScaleSpec,
    bar: &ProgressBar,
) -> Result<Option<plan::Counts>> {
    let zone = CityZone::parse(&city.time_zone).map_err(|e| SeedError::Invalid(e.to_string()))?;
    let participants = spec.participants as usize;
    let plan_spec = Spec {
        city_slug: &city.slug,
        zone,
        // One rink per eight groups: eight 90-minute slots from 07:00 fit a day.
        rinks: (1..=participants.div_ceil(20).div_ceil(8).max(1))
            .map(|r| {
                (
                    format!("{} Rink {r}", city.name_en),
                    format!("Ice street {r}"),
                )
            })
            .collect(),
        universities: GENERIC_UNIVERSITIES,
        theme: "SOI: youth for a cleaner city",
        coaches: (participants / 50).max(2),
        participants,
        waitlisted: 0,
        undecided: 0,
        group_size: 20,
        sessions_per_group: spec.sessions as usize,
        season_start: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default(),
        // Every session is marked, so the attendance table has its full size.
        marked_until: Utc
            .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default(),
    };
    let mut tx = db.tenant(&ctx.in_city(city.id)).await?;
    let catalogue = skills::catalogue(&mut tx).await?;
    let mut rng = Rng::derive(spec.seed, &city.slug);
    let plan = plan::build(&mut rng, &plan_spec, &catalogue);
    if seasons::get(&mut tx, plan.season.0).await.is_ok() {
        tx.rollback().await?;
        return Ok(None);
    }
    let counts = plan::write(&mut tx, &plan, |n| bar.inc(n)).await?;
    tx.commit().await?;
    Ok(Some(counts))
}
