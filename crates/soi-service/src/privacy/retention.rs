//! The retention schedule: the worker erases, city by city, whoever is due
//! (a withdrawal's grace period over, applicants never accepted and
//! participants of long-closed seasons past their periods). Each person is
//! erased in a transaction of their own, recorded in the city's audit log
//! by id as the system job `retention`.

use super::{Policy, erase};
use chrono::{DateTime, Utc};
use serde_json::json;
use soi_core::{CityId, SystemCtx};
use soi_db::program::participant_privacy::{self, Cutoffs};
use soi_db::{Db, Result, TenantTx, audit, cities};

/// The job the scheduled erasures are recorded under.
pub const JOB: SystemCtx = SystemCtx::new("retention");

/// Most people erased per city and run (a backlog goes in a few runs).
const BATCH: i64 = 500;

/// What a run erased, per city (counts only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retained {
    pub erased: u64,
    pub failed_cities: u64,
}

/// The cut-offs of `policy` at `now`.
fn cutoffs(policy: &Policy, now: DateTime<Utc>) -> Cutoffs {
    Cutoffs {
        applicants: now - policy.applicants,
        participants: (now - policy.participants).date_naive(),
    }
}

/// Erases one city's due people, each in its own transaction of `JOB`'s
/// scope; returns how many. A person erased meanwhile (by an admin) counts
/// for nothing and fails nothing.
pub async fn run_retention_in_city(
    db: &Db,
    policy: &Policy,
    city: CityId,
    now: DateTime<Utc>,
) -> Result<u64> {
    let scope = JOB.in_city(city);
    let mut tx = db.tenant(&scope).await?;
    let due =
        participant_privacy::due_for_erasure(&mut tx, now, cutoffs(policy, now), BATCH).await?;
    tx.commit().await?;
    let mut erased = 0;
    for id in due {
        let mut tx: TenantTx = db.tenant(&scope).await?;
        let done = erase(&mut tx, id).await?;
        if done.erased {
            audit::record(
                &mut tx,
                "eraseParticipant",
                &json!({ "participantId": id.to_string() }),
                None,
            )
            .await?;
            erased += 1;
        }
        tx.commit().await?;
    }
    Ok(erased)
}

/// One scheduled run over every city; a city that fails is logged and the
/// rest go on.
pub async fn run_retention(db: &Db, policy: &Policy, now: DateTime<Utc>) -> Result<Retained> {
    let mut tx = db.national().await?;
    let all = cities::list(&mut tx).await?;
    tx.commit().await?;
    let mut out = Retained::default();
    for city in all {
        match run_retention_in_city(db, policy, city.id, now).await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(city = %city.slug, erased = n, "personal data erased by retention");
                }
                out.erased += n;
            }
            Err(e) => {
                tracing::warn!(city = %city.slug, error = %e, "retention run failed");
                out.failed_cities += 1;
            }
        }
    }
    Ok(out)
}

/// Runs [`run_retention`] every `every` (the first run at once) until
/// `stop` turns true; `soi worker` runs it beside the mail worker, and
/// `soi serve` when it runs the mail worker too.
pub async fn run_schedule(
    db: Db,
    policy: Policy,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !*stop.borrow() {
        tokio::select! {
            _ = stop.changed() => {}
            _ = tick.tick() => {
                if let Err(e) = run_retention(&db, &policy, Utc::now()).await {
                    tracing::warn!(error = %e, "retention run failed");
                }
            }
        }
    }
}
