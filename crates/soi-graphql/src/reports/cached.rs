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

/// The national report, from the cache when its version is current.
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
    tx.finish().await?;
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
        return Ok(hit);
    }
    let report = build::national(db, period, by).await?;
    cache.put_json(&key, &report, TTL).await;
    Ok(report)
}

/// A city's report for its admin, from the cache when both its city's and
/// the national version (for the median) are current.
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
    let mut tx = db.tenant(scope).await?;
    let city_version = reports::city_version(&mut tx).await?;
    tx.commit().await?;
    let mut national = db.report().await?;
    let national_version = reports::national_version(&mut national).await?;
    national.finish().await?;
    let key = Key::new(
        Scope::City(scope.city().as_uuid()),
        "report",
        "chapter_admin",
        &[
            &city_version.to_string(),
            &national_version.to_string(),
            &period.from.to_string(),
            &period.to.to_string(),
            &grouping_name(by),
        ],
    );
    let cache = redis.cache();
    if let Some(hit) = cache.get_json::<CityReport>(&key).await {
        return Ok(hit);
    }
    let report = build::city(db, scope, period, by).await?;
    cache.put_json(&key, &report, TTL).await;
    Ok(report)
}
