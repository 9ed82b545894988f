//! Test support: a fresh database per test (cloned from a migrated template,
//! so tests run in parallel and fast), the tenancy catalog checker, a plan
//! checker, and capture of PostgreSQL notices.

mod app;
pub mod catalog;
pub mod mail;
pub mod notices;
pub mod plans;
pub mod shows;
mod testdb;

pub use app::{TEST_JWT_SECRET, TEST_WEBHOOK_SECRET, TestApp, codes};
pub use testdb::TestDb;

use soi_core::{CityZone, Slug, SystemCtx};
use soi_db::SystemDb;
use soi_db::cities::{City, NewCity};

/// Launches a city with generic names.
pub async fn launch(sys: &SystemDb, slug: &str) -> City {
    let new = NewCity {
        slug: Slug::parse(slug).expect("test slug"),
        name_kk: format!("{slug} kk"),
        name_ru: format!("{slug} ru"),
        name_en: format!("{slug} en"),
        zone: CityZone::parse("Asia/Almaty").expect("zone"),
        launched_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
    };
    sys.launch_city(&SystemCtx::new("test"), &new)
        .await
        .expect("launch")
        .city
}
