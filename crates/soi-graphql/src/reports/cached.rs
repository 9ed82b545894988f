//! Reports through the Redis cache. A key names the scope (national, or the
//! city), the role that may read it and the question; the entry carries the
//! rollup version it was computed at. Any committed change to a figure
//! raises the version, so an entry of an older version reads as a miss and
//! the report is recomputed — read-your-writes without trusting an
//! invalidation message to arrive. The version and the entry are read side
//! by side (one round trip's time). Without Redis (or while it is down) the
//! report is computed from PostgreSQL every time.

use super::build;
use super::inputs::*;
use super::nodes::*;
use soi_cache::{Key, Redis, Scope};
use soi_core::CityScope;
use soi_db::reports::rollups;
use soi_db::{Db, Result};
use std::time::Duration;

/// How long a computed report stays cached (a newer version misses sooner).
const TTL: Duration = Duration::from_secs(600);

fn grouping_name(by: impl std::fmt::Debug) -> String {
    format!("{by:?}")
}

/// The national report (of every city, or of the one named), from the cache
/// when it was computed at the current version. `known` is a national version the caller has just read (the
/// whole-answer cache does), which spares reading it again.
pub async fn national(
    db: &Db,
    redis: Option<&Redis>,
    period: Period,
    by: ReportGrouping,
    city: Option<&str>,
    known: Option<i64>,
) -> Result<NationalReport> {
    let Some(redis) = redis.filter(|r| r.is_up()) else {
        return build::national(db, period, by, city).await;
    };
    let key = Key::new(
        Scope::National,
        "report",
        "national",
        &[
            &period.from.to_string(),
            &period.to.to_string(),
            &grouping_name(by),
            soi_core::report::RULE_VERSION,
            // Every city, or the one drilled into (a slug has no `:`).
            city.unwrap_or("*"),
        ],
    );
    let cache = redis.cache();
    let version = async {
        match known {
            Some(v) => Ok(v),
            None => db.national_version().await,
        }
    };
    if let (_, Some(hit)) = cache.get_json_at(&key, version).await? {
        return Ok(hit);
    }
    // The version is read again in the report's snapshot: what is stored
    // under it is exactly that version.
    let mut tx = db.report().await?;
    let version = rollups::national_version(&mut tx).await?;
    let report = build::national_any_in(&mut tx, period, by, city).await?;
    tx.finish().await?;
    cache.put_json_at(&key, version, &report, TTL).await;
    Ok(report)
}

/// A city's report for its admin: its own figures cached by its city's
/// version (a change in one city leaves the other cities' entries valid),
/// the national median kept in the process by the national version (see
/// [`build::median`]); the two are read side by side.
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
    let (own, median) = tokio::try_join!(
        city_own(db, redis, scope, period, by),
        build::median(db, period)
    )?;
    Ok(build::with_median(own, median))
}

/// A city's own figures through the cache. No transaction stays open while
/// Redis answers: the version is read in a one-round-trip tenant
/// transaction, and only a miss opens another to compute.
async fn city_own(
    db: &Db,
    redis: &Redis,
    scope: &CityScope,
    period: Period,
    by: CityReportGrouping,
) -> Result<CityReport> {
    let key = Key::new(
        Scope::City(scope.city().as_uuid()),
        "report",
        "chapter_admin",
        &[
            &period.from.to_string(),
            &period.to.to_string(),
            &grouping_name(by),
        ],
    );
    let cache = redis.cache();
    if let (_, Some(hit)) = cache.get_json_at(&key, db.city_version(scope)).await? {
        return Ok(hit);
    }
    let mut tx = db.tenant(scope).await?;
    // Read first: the figures read after it are at least this new.
    let version = rollups::city_version(&mut tx).await?;
    let own = build::city_own_in(&mut tx, scope, period, by).await?;
    tx.commit().await?;
    cache.put_json_at(&key, version, &own, TTL).await;
    Ok(own)
}
