//! Runs a case's history: each step in one transaction of its city (a
//! refusal the program expects rolls back and is counted, not failed), the
//! check halfway and at the end.

use super::check::check;
use super::city::{City, new_city};
use super::steps::{Act, Step};
use crate::driver::fail;
use chrono::Utc;
use proptest::test_runner::TestCaseError;
use soi_db::{Db, Error, SystemDb};
use soi_tests::tenant;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The cities of a case (one per zone).
pub const ZONES: [&str; 3] = ["Asia/Almaty", "America/New_York", "Asia/Tokyo"];

/// Per kind: (accepted, refused, one refusal message), printed at the end of
/// a run so a run that refuses everything is seen (and fails).
#[derive(Default, Debug)]
pub struct Stats(pub BTreeMap<String, (u32, u32, String)>);

impl Stats {
    fn count(&mut self, act: &Act, refusal: Option<String>) {
        let e = self.0.entry(act.name()).or_default();
        match refusal {
            None => e.0 += 1,
            Some(m) => {
                e.1 += 1;
                e.2 = m;
            }
        }
    }
}

/// Runs one step in one transaction of its city. A refusal the program
/// expects (a move its rules forbid, a sale after the event began, a gift
/// beyond the balance…) rolls back and is no failure: the rollups must
/// simply match whatever the base tables hold.
pub async fn apply(
    db: &Db,
    cities: &mut [City],
    step: &Step,
    stats: &Mutex<Stats>,
) -> Result<bool, TestCaseError> {
    let today = Utc::now().date_naive();
    let c = &mut cities[step.city];
    let mut tx = tenant(db, c.id).await;
    let refusal = match step.act.apply(c, &mut tx, today).await {
        Ok(()) => {
            tx.commit().await.map_err(fail)?;
            None
        }
        Err(e @ (Error::Conflict(_) | Error::Invalid(_) | Error::NotFound(_))) => {
            Some(e.to_string())
        }
        Err(e) => return Err(fail(format!("{step:?}: {e}"))),
    };
    let accepted = refusal.is_none();
    stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .count(&step.act, refusal);
    Ok(accepted)
}

/// Runs `steps` in fresh cities, one per zone of [`ZONES`].
pub async fn run(
    db: &Db,
    sys: &SystemDb,
    owner: &mut PgConnection,
    steps: &[Step],
    stats: &Mutex<Stats>,
) -> Result<(), TestCaseError> {
    let mut cities: Vec<City> = Vec::new();
    for zone in ZONES {
        cities.push(new_city(db, sys, zone).await);
    }
    let half = steps.len() / 2;
    for (i, step) in steps.iter().enumerate() {
        apply(db, &mut cities, step, stats).await?;
        if i + 1 == half {
            check(
                db,
                owner,
                &cities,
                &format!("at step {} of {} ({step:?})", i + 1, steps.len()),
            )
            .await?;
        }
    }
    check(db, owner, &cities, "after the history").await
}
