//! Random sequences of program activity over several cities keep every
//! rollup equal to a recomputation from the base tables: applications and
//! decisions, sessions scheduled, cancelled and moved to other months,
//! attendance recorded and corrected, skills passed, ice shows created,
//! moved and held, tickets sold, refunded and scanned, and money given,
//! received, spent and reversed. Everything goes through the soi-db
//! repository functions the GraphQL layer calls; the expected figures are
//! plain SQL over the base tables on the owner's (superuser) connection,
//! following the definitions in the header of the rollups migration. The
//! city and national reports must agree with the recomputation too.
//!
//! One database for the run, fresh cities (in different time zones) per case.
//! The kinds of step are listed once, in [`steps`]; [`history`] runs them in
//! cities set up by [`city`] (the longer acts are in [`activity`]); [`model`]
//! recomputes the figures and [`check`] compares rollups and reports with them.

mod activity;
pub(crate) mod check;
pub(crate) mod city;
pub(crate) mod history;
pub(crate) mod model;
pub(crate) mod steps;

use crate::driver;
use activity::race;
use chrono::{Days, Utc};
use city::{new_city, slot};
use history::Stats;
use model::{Table, diff, recompute, stored};
use proptest::test_runner::Config;
use soi_core::states::AttendanceMark;
use soi_core::*;
use soi_db::funds::expenses::NewExpense;
use soi_db::program::{attendance, sessions, skill_assessments, skills};
use soi_db::reports::rollups;
use soi_tests::{TestDb, scope, tenant};
use std::sync::Mutex;
use steps::Act;
use uuid::Uuid;

#[test]
fn random_activity_keeps_every_rollup_equal_to_the_base_tables() {
    let cases: u32 = std::env::var("ROLLUP_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let config = Config {
        max_shrink_iters: 200,
        ..driver::config(cases)
    };
    let stats = Mutex::new(Stats::default());
    let result = driver::drive(
        config,
        &steps::histories(),
        async |db, sys, owner, steps| history::run(db, sys, owner, steps, &stats).await,
    );
    let stats = stats
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (k, (ok, refused, last)) in &stats.0 {
        eprintln!("{k:>13}: {ok:>4} accepted, {refused:>4} refused  {last}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every kind of activity happened for real somewhere in the run.
    assert_eq!(
        stats.0.len(),
        Act::kinds().len(),
        "some kind of step was never drawn: {stats:?}"
    );
    for (k, s) in &stats.0 {
        assert!(s.0 > 0, "no {k} step was ever accepted: {stats:?}");
    }
}
/// The demo seed writes in bulk (insert_many of sessions, attendance without
/// a recorder, skills, tickets…): the triggers keep up with that too.
#[tokio::test]
async fn the_demo_seed_leaves_rollups_equal_to_the_base_tables() {
    let t = TestDb::new().await;
    t.seed_demo(7).await;
    let mut owner = t.raw().await;
    let every: Vec<Uuid> = sqlx::query_scalar("select id from cities")
        .fetch_all(&mut owner)
        .await
        .expect("cities");
    let want = recompute(&mut owner, &every).await;
    let got = stored(&mut owner).await;
    assert!(
        want.values().any(|v| v.iter().any(|x| *x != 0)),
        "the seed left nothing to count"
    );
    let d = diff(&want, &got);
    assert!(
        d.is_empty(),
        "rollups differ after the demo seed:\n{}",
        d.join("\n")
    );
}

/// A cached report is keyed by the newest rollup version, so every change of
/// a figure must leave a newer newest version once committed. Two
/// transactions that change figures concurrently commit in the order
/// opposite to the one in which they drew their versions.
#[tokio::test]
async fn every_committed_change_of_figures_moves_the_version() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let a = new_city(&db, &sys, "Asia/Almaty").await;
    let b = new_city(&db, &sys, "Asia/Almaty").await;
    let today = Utc::now().date_naive();
    let expense = move |amount| NewExpense {
        tag: "ice".into(),
        amount_tiyn: amount,
        spent_on: today,
        description: "Spent".into(),
        receipt_url: None,
    };
    let national_version = || async {
        let mut r = db.report().await.expect("report");
        let v = rollups::national_version(&mut r).await.expect("version");
        r.finish().await.expect("finish");
        // The one-round-trip read the cached answers use says the same.
        assert_eq!(db.national_version().await.expect("one trip"), v);
        v
    };
    let city_version = |city: CityId| {
        let db = &db;
        async move {
            let mut tx = tenant(db, city).await;
            let v = rollups::city_version(&mut tx).await.expect("version");
            tx.rollback().await.expect("rollback");
            // The one-round-trip read the cached city reports use, read after
            // it, is at least as new (a writer below may commit in between).
            let here = scope(city);
            assert!(db.city_version(&here).await.expect("one trip") >= v);
            v
        }
    };

    // Across cities (the national version).
    let mut first = tenant(&db, a.id).await;
    soi_service::funds::record_expense(&mut first, ExpenseId::new(), &expense(1_000))
        .await
        .expect("expense a");
    let mut second = tenant(&db, b.id).await;
    soi_service::funds::record_expense(&mut second, ExpenseId::new(), &expense(2_000))
        .await
        .expect("expense b");
    second.commit().await.expect("commit b");
    let cached_at = national_version().await;
    first.commit().await.expect("commit a");
    let now = national_version().await;
    let national_moved = now != cached_at;

    // Within one city (the city version): the second writer waits for the
    // first (the city's counter row orders them), and each commit shows.
    let before = city_version(a.id).await;
    let mut first = tenant(&db, a.id).await;
    let (p, coach) = (a.people[0], a.coaches[0]);
    let element = skills::catalogue(&mut first).await.expect("catalogue")[0].id;
    skill_assessments::record_pass(
        &mut first,
        AssessmentId::new(),
        p,
        element,
        coach,
        today - Days::new(65),
    )
    .await
    .expect("pass");
    let second = {
        let db = db.clone();
        let city = a.id;
        tokio::spawn(async move {
            let mut second = tenant(&db, city).await;
            soi_service::funds::record_expense(&mut second, ExpenseId::new(), &expense(3_000))
                .await
                .expect("expense");
            second.commit().await.expect("commit second");
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.expect("commit first");
    let city_cached_at = city_version(a.id).await;
    second.await.expect("second");
    let city_now = city_version(a.id).await;
    // With every writer done, the two reads agree exactly.
    let here = scope(a.id);
    assert_eq!(db.city_version(&here).await.expect("one trip"), city_now);
    assert!(city_cached_at > before, "the first commit moved nothing");
    // Each of the two commits raised the counter once.
    let city_moved = city_now == before + 2;

    // The transaction that started first commits last: its change must still
    // show as a new version (a sequence drawn at start would not), or a report
    // cached under the newest version would stay stale.
    assert!(
        national_moved && city_moved,
        "a committed change left the version as it was: national {cached_at} -> {now}, \
         city {city_cached_at} -> {city_now}"
    );
    db.close().await;
    sys.close().await;
}

/// Two recorders of one coach's first marks of a month at once (two sessions
/// of one group and month, in overlapping transactions): both must succeed,
/// and the coach counts once. First as new marks, then as a coach taking
/// over marks recorded without a coach (the marks themselves unchanged).
#[tokio::test]
async fn concurrent_first_marks_of_one_coach_both_succeed() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let mut city = new_city(&db, &sys, "Asia/Almaty").await;
    let mut tx = tenant(&db, city.id).await;
    let mut ids = Vec::new();
    for g in [0, 0, 1, 1] {
        let (starts_at, ends_at) = slot(&mut city, 0, false);
        let s = sessions::schedule(
            &mut tx,
            &sessions::NewSession {
                id: SessionId::new(),
                group: city.groups[g].id,
                rink: city.rink,
                starts_at,
                ends_at,
            },
        )
        .await
        .expect("session");
        ids.push(s.id);
    }
    // The second pair already has marks, recorded by no coach.
    let other = city.groups[1].members.clone();
    for (s, p) in [(ids[2], other[0]), (ids[3], other[1])] {
        attendance::record_session(&mut tx, s, None, &[(p, AttendanceMark::Present)])
            .await
            .expect("marks without a coach");
    }
    tx.commit().await.expect("commit");
    let members = city.groups[0].members.clone();

    let new_marks = race(
        &db,
        city.id,
        [ids[0], ids[1]],
        Some(city.coaches[0]),
        [
            (members[0], AttendanceMark::Present),
            (members[1], AttendanceMark::Late),
        ],
    )
    .await;
    let taken_over = race(
        &db,
        city.id,
        [ids[2], ids[3]],
        Some(city.coaches[1]),
        [
            (other[0], AttendanceMark::Present),
            (other[1], AttendanceMark::Present),
        ],
    )
    .await;
    let mut owner = t.raw().await;
    let want = recompute(&mut owner, &[city.id.as_uuid()]).await;
    let got: Table = stored(&mut owner)
        .await
        .into_iter()
        .filter(|(k, _)| k.0 == city.id.as_uuid())
        .collect();
    // New marks serialize: the session counters' rollup row (same city, month
    // and season) is updated before `soi_rollup_coach` runs, so the second
    // recorder waits for the first to commit.
    assert!(
        new_marks.is_ok(),
        "second recorder of new marks failed: {new_marks:?}"
    );
    // Only recorded_by changes (a coach takes over marks recorded without
    // one): no session counter moves, so nothing orders the two recorders
    // but the coach-month row itself, which must be created under its lock.
    assert!(
        taken_over.is_ok(),
        "second recorder taking over marks failed: {taken_over:?}"
    );
    let d = diff(&want, &got);
    assert!(d.is_empty(), "{}", d.join("\n"));
    db.close().await;
    sys.close().await;
}
