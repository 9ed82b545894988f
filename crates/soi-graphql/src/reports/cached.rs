//! Reports through the Redis cache. A key names the scope (national, or the
//! city), the role that may read it, and the rollup version the report was
//! computed at: any committed change to a figure raises the version, so the
//! next read misses and recomputes — read-your-writes without trusting an
//! invalidation message to arrive. Without Redis (or while it is down) the
//! report is computed from PostgreSQL every time.

use super::build::{self, Period};
use super::model::*;
use soi_cache::{Key, Redis, Scope};
use soi_core::CityScope;
use soi_db::{Db, Result, reports};
use std::time::Duration;

/// How long a computed report stays cached (a newer version misses sooner).
const TTL: Duration = Duration::from_secs(600);

fn grouping_name(by: impl std::fmt::Debug) -> String {
    format!("{by:?}")
}

/// The national report, from the cache when its version is current. The
/// version and, on a miss, the report are read in one repeatable-read
/// transaction: what is stored under a version is exactly that version.
pub async fn national(
    db: &Db,
    redis: Option<&Redis>,
    period: Period,
    by: ReportGrouping,
) -> Result<NationalReport> {
    let Some(redis) = redis.filter(|r| r.is_up()) else {
        return build::national(db, period, by).await;
    };
    let mut tx = db.report().await?;
    let version = reports::national_version(&mut tx).await?;
    let key = Key::new(
        Scope::National,
        "report",
        "national",
        &[
            &version.to_string(),
            &period.from.to_string(),
            &period.to.to_string(),
            &grouping_name(by),
        ],
    );
    let cache = redis.cache();
    if let Some(hit) = cache.get_json::<NationalReport>(&key).await {
        tx.finish().await?;
        return Ok(hit);
    }
    let report = build::national_in(&mut tx, period, by).await?;
    tx.finish().await?;
    cache.put_json(&key, &report, TTL).await;
    Ok(report)
}

/// A city's report for its admin: its own figures cached by its city's
/// version, the national median by the national version. The median is the
/// same for every city's admins, so one computation serves them all until
/// any city's figures change; a change in one city leaves the other cities'
/// own parts cached.
pub async fn city(
    db: &Db,
    redis: Option<&Redis>,
    scope: &CityScope,
    period: Period,
    by: CityReportGrouping,
) -> Result<CityReport> {
    let Some(redis) = redis.filter(|r| r.is_up()) else {
        return build::city(db, scope, period, by).await;
    };
    let cache = redis.cache();
    let mut tx = db.tenant(scope).await?;
    // Read first: the figures read after it are at least this new.
    let city_version = reports::city_version(&mut tx).await?;
    let own_key = Key::new(
        Scope::City(scope.city().as_uuid()),
        "report",
        "chapter_admin",
        &[
            &city_version.to_string(),
            &period.from.to_string(),
            &period.to.to_string(),
            &grouping_name(by),
        ],
    );
    let own = match cache.get_json::<CityReport>(&own_key).await {
        Some(hit) => hit,
        None => {
            let own = build::city_own_in(&mut tx, scope, period, by).await?;
            cache.put_json(&own_key, &own, TTL).await;
            own
        }
    };
    tx.commit().await?;
    Ok(build::with_median(own, median(db, redis, period).await?))
}

/// The national median of a period, cached by the national version (read
/// in the same repeatable-read transaction as the median on a miss).
async fn median(db: &Db, redis: &Redis, period: Period) -> Result<build::Median> {
    let mut tx = db.report().await?;
    let version = reports::national_version(&mut tx).await?;
    let key = Key::new(
        Scope::National,
        "median",
        "chapter_admin",
        &[
            &version.to_string(),
            &period.from.to_string(),
            &period.to.to_string(),
        ],
    );
    let cache = redis.cache();
    let median = match cache.get_json::<build::Median>(&key).await {
        Some(hit) => hit,
        None => {
            let median = build::median_in(&mut tx, period).await?;
            cache.put_json(&key, &median, TTL).await;
            median
        }
    };
    tx.finish().await?;
    Ok(median)
}
