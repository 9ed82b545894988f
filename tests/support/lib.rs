//! Test support: a fresh database per test (cloned from a migrated template,
//! so tests run in parallel and fast), the tenancy catalog checker, a plan
//! checker, and capture of PostgreSQL notices.

pub mod accounts;
mod app;
mod app_helpers;
pub mod catalog;
pub mod catalog_accounts;
pub mod catalog_citus;
pub mod catalog_roles;
pub mod io;
pub mod locks;
pub mod mail;
pub mod notices;
pub mod otlp;
pub mod pg_cluster;
pub mod plans;
pub mod redis_child;
pub mod shows;
mod testdb;
pub mod tokens;
pub mod unsub;
pub mod ws;

pub use app::{TEST_JWT_SECRET, TEST_WEBHOOK_SECRET, TestApp, codes, reason};
pub use app_helpers::Download;
pub use testdb::TestDb;

use soi_core::{CityId, CityScope, CityZone, Slug, SystemCtx};
use soi_db::cities::{City, NewCity};
use soi_db::{Db, SystemDb, TenantTx};

/// The system context tests act in, scoped to `city`.
pub fn scope(city: CityId) -> CityScope {
    SystemCtx::new("test").in_city(city)
}

/// A tenant transaction of `city` as the system (panics if it cannot be
/// opened).
pub async fn tenant(db: &Db, city: CityId) -> TenantTx {
    db.tenant(&scope(city)).await.expect("tenant")
}

/// The nodes of the connection `data.<field>` of a response (panics, showing
/// the body, when it has no edges).
pub fn nodes(body: &serde_json::Value, field: &str) -> Vec<serde_json::Value> {
    body["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Launches a city with generic names.
pub async fn launch(sys: &SystemDb, slug: &str) -> City {
    let new = NewCity {
        slug: Slug::parse(slug).expect("test slug"),
        name_kk: format!("{slug} kk"),
        name_ru: format!("{slug} ru"),
        name_en: format!("{slug} en"),
        zone: CityZone::parse("Asia/Almaty").expect("zone"),
        launched_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
        position: None,
    };
    sys.launch_city(&SystemCtx::new("test"), &new)
        .await
        .expect("launch")
        .city
}

/// The coach behind the demo account `coach@<slug>.soi.test`, the first group
/// they train, and another group of the same season (read in `tx`).
pub async fn demo_coach_groups(
    db: &soi_db::Db,
    tx: &mut soi_db::TenantTx,
    slug: &str,
) -> (
    soi_core::CoachId,
    soi_db::program::groups::Group,
    soi_db::program::groups::Group,
) {
    let mut national = db.national().await.expect("national");
    let account =
        soi_db::auth::accounts::sign_in_lookup(&mut national, &format!("coach@{slug}.soi.test"))
            .await
            .expect("account query")
            .expect("demo coach account");
    national.commit().await.expect("commit");
    let coach = soi_core::CoachId::from(account.account.coach_id.expect("a coach account"));
    let own = soi_db::program::groups::of_coach(tx, coach)
        .await
        .expect("groups")[0]
        .clone();
    let other = soi_db::program::groups::list_by_season(tx, own.season_id)
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.id != own.id)
        .expect("another group");
    (coach, own, other)
}
