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

use chrono::{Days, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError};
use soi_core::program::{AttendanceMark, EnrollmentStatus, EventStatus};
use soi_core::*;
use soi_db::funds::expenses::NewExpense;
use soi_db::reports;
use soi_db::{Db, Error, SystemDb, attendance, enrollments, sessions, skills};
use soi_tests::TestDb;
use soi_tests::props::{self, fail};
use soi_tests::rollup_city::{
    COACHES, City, MARKS, MEMBERS, SEASONS, new_city, pick, race, slot, tenant,
};
use soi_tests::rollups::{Table, check, diff, recompute, stored};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

const CITIES: usize = 3;
const ZONES: [&str; CITIES] = ["Asia/Almaty", "America/New_York", "Asia/Tokyo"];
const STATUSES: [EnrollmentStatus; 6] = [
    EnrollmentStatus::Accepted,
    EnrollmentStatus::Waitlisted,
    EnrollmentStatus::Rejected,
    EnrollmentStatus::Active,
    EnrollmentStatus::Completed,
    EnrollmentStatus::Withdrawn,
];

#[derive(Debug, Clone)]
enum Step {
    Apply {
        city: usize,
        season: usize,
    },
    Decide {
        city: usize,
        pick: Index,
        to: usize,
    },
    Schedule {
        city: usize,
        group: usize,
        month: i32,
        late: bool,
    },
    Cancel {
        city: usize,
        pick: Index,
    },
    Reschedule {
        city: usize,
        pick: Index,
        month: i32,
        late: bool,
    },
    Attend {
        city: usize,
        pick: Index,
        coach: Option<usize>,
        marks: Vec<(usize, usize)>,
    },
    Skill {
        city: usize,
        person: Index,
        element: Index,
        coach: usize,
        days_ago: u64,
    },
    CreateEvent {
        city: usize,
        season: usize,
        months_ahead: u32,
        show: bool,
    },
    MoveEvent {
        city: usize,
        pick: Index,
        month: i32,
        late: bool,
    },
    Done {
        city: usize,
        pick: Index,
    },
    Sale {
        city: usize,
        pick: Index,
        quantity: i32,
    },
    Refund {
        city: usize,
        pick: Index,
    },
    CheckIn {
        city: usize,
        pick: Index,
    },
    Contribution {
        city: usize,
        amount: i64,
    },
    Expense {
        city: usize,
        amount: i64,
    },
    Give {
        city: usize,
        amount: i64,
        beneficiaries: i32,
        days_ago: u64,
    },
    Reverse {
        city: usize,
        pick: Index,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let city = 0..CITIES;
    let month = -2..=2i32;
    prop_oneof![
        3 => (city.clone(), 0..SEASONS).prop_map(|(city, season)| Step::Apply { city, season }),
        3 => (city.clone(), any::<Index>(), 0..STATUSES.len())
            .prop_map(|(city, pick, to)| Step::Decide { city, pick, to }),
        3 => (city.clone(), 0..SEASONS, month.clone(), any::<bool>())
            .prop_map(|(city, group, month, late)| Step::Schedule { city, group, month, late }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Cancel { city, pick }),
        2 => (city.clone(), any::<Index>(), month.clone(), any::<bool>())
            .prop_map(|(city, pick, month, late)| Step::Reschedule { city, pick, month, late }),
        4 => (
            city.clone(),
            any::<Index>(),
            prop::option::weighted(0.85, 0..COACHES),
            prop::collection::vec((0..MEMBERS, 0..MARKS.len()), 1..=MEMBERS),
        )
            .prop_map(|(city, pick, coach, marks)| Step::Attend { city, pick, coach, marks }),
        2 => (city.clone(), any::<Index>(), any::<Index>(), 0..COACHES, 0..100u64)
            .prop_map(|(city, person, element, coach, days_ago)| Step::Skill { city, person, element, coach, days_ago }),
        2 => (city.clone(), 0..SEASONS, 0..=2u32, any::<bool>())
            .prop_map(|(city, season, months_ahead, show)| Step::CreateEvent { city, season, months_ahead, show }),
        1 => (city.clone(), any::<Index>(), month.clone(), any::<bool>())
            .prop_map(|(city, pick, month, late)| Step::MoveEvent { city, pick, month, late }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Done { city, pick }),
        3 => (city.clone(), any::<Index>(), 1..=3i32)
            .prop_map(|(city, pick, quantity)| Step::Sale { city, pick, quantity }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Refund { city, pick }),
        2 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::CheckIn { city, pick }),
        2 => (city.clone(), 1..=2_000_000i64).prop_map(|(city, amount)| Step::Contribution { city, amount }),
        1 => (city.clone(), 1..=600_000i64).prop_map(|(city, amount)| Step::Expense { city, amount }),
        2 => (city.clone(), 1..=1_000_000i64, 0..50i32, prop::sample::select(vec![0u64, 35, 70]))
            .prop_map(|(city, amount, beneficiaries, days_ago)| Step::Give { city, amount, beneficiaries, days_ago }),
        1 => (city, any::<Index>()).prop_map(|(city, pick)| Step::Reverse { city, pick }),
    ]
}

/// Per step kind: (accepted, refused, one refusal message), printed at the
/// end so a run that refuses everything is seen (and fails).
static STATS: std::sync::Mutex<BTreeMap<&'static str, (u32, u32, String)>> =
    std::sync::Mutex::new(BTreeMap::new());

fn kind(step: &Step) -> &'static str {
    match step {
        Step::Apply { .. } => "apply",
        Step::Decide { .. } => "decide",
        Step::Schedule { .. } => "schedule",
        Step::Cancel { .. } => "cancel",
        Step::Reschedule { .. } => "reschedule",
        Step::Attend { .. } => "attend",
        Step::Skill { .. } => "skill",
        Step::CreateEvent { .. } => "create_event",
        Step::MoveEvent { .. } => "move_event",
        Step::Done { .. } => "done",
        Step::Sale { .. } => "sale",
        Step::Refund { .. } => "refund",
        Step::CheckIn { .. } => "check_in",
        Step::Contribution { .. } => "contribution",
        Step::Expense { .. } => "expense",
        Step::Give { .. } => "give",
        Step::Reverse { .. } => "reverse",
    }
}

fn count(step: &Step, refusal: Option<String>) {
    let mut stats = STATS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let e = stats.entry(kind(step)).or_default();
    match refusal {
        None => e.0 += 1,
        Some(m) => {
            e.1 += 1;
            e.2 = m;
        }
    }
}

/// Runs one step in one transaction of its city. A refusal the program
/// expects (a move its rules forbid, a sale after the event began, a gift
/// beyond the balance…) rolls back and is no failure: the rollups must
/// simply match whatever the base tables hold.
async fn apply(db: &Db, cities: &mut [City], step: &Step) -> Result<bool, TestCaseError> {
    let today = Utc::now().date_naive();
    let c = match step {
        Step::Apply { city, .. }
        | Step::Decide { city, .. }
        | Step::Schedule { city, .. }
        | Step::Cancel { city, .. }
        | Step::Reschedule { city, .. }
        | Step::Attend { city, .. }
        | Step::Skill { city, .. }
        | Step::CreateEvent { city, .. }
        | Step::MoveEvent { city, .. }
        | Step::Done { city, .. }
        | Step::Sale { city, .. }
        | Step::Refund { city, .. }
        | Step::CheckIn { city, .. }
        | Step::Contribution { city, .. }
        | Step::Expense { city, .. }
        | Step::Give { city, .. }
        | Step::Reverse { city, .. } => &mut cities[*city],
    };
    let mut tx = tenant(db, c.id).await;
    let outcome: Result<(), Error> = async {
        match step {
            Step::Apply { season, .. } => c.enroll_new(&mut tx, season).await?,
            Step::Decide { pick: i, to, .. } => {
                if let Some(e) = pick(&c.enrollments, i) {
                    enrollments::set_status(&mut tx, e, STATUSES[*to]).await?;
                }
            }
            Step::Schedule {
                group, month, late, ..
            } => c.schedule(&mut tx, group, month, late).await?,
            Step::Cancel { pick: i, .. } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    sessions::cancel(&mut tx, s, "Ice is melting").await?;
                }
            }
            Step::Reschedule {
                pick: i,
                month,
                late,
                ..
            } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    let (starts_at, ends_at) = slot(c, *month, *late);
                    sessions::reschedule(&mut tx, s, starts_at, ends_at).await?;
                }
            }
            Step::Attend {
                pick: i,
                coach,
                marks,
                ..
            } => c.attend(&mut tx, i, coach, marks).await?,
            Step::Skill {
                person: p,
                element,
                coach,
                days_ago,
                ..
            } => {
                c.pass_skill(&mut tx, today, p, element, coach, days_ago)
                    .await?
            }
            Step::CreateEvent {
                season,
                months_ahead,
                show,
                ..
            } => c.create_event(&mut tx, season, months_ahead, show).await?,
            Step::MoveEvent {
                pick: i,
                month,
                late,
                ..
            } => c.move_event(&mut tx, i, month, late).await?,
            Step::Done { pick: i, .. } => {
                if let Some((e, _)) = pick(&c.events, i) {
                    soi_service::events::set_status(&mut tx, e, EventStatus::Done).await?;
                }
            }
            Step::Sale {
                pick: i, quantity, ..
            } => c.sell(&mut tx, i, quantity).await?,
            Step::Refund { pick: i, .. } => {
                if let Some(o) = pick(&c.orders, i) {
                    soi_service::tickets::refund(&mut tx, o, "Changed plans").await?;
                }
            }
            Step::CheckIn { pick: i, .. } => {
                if !c.codes.is_empty() {
                    let code = c.codes[i.index(c.codes.len())].clone();
                    soi_service::tickets::check_in(&mut tx, &code).await?;
                }
            }
            Step::Contribution { amount, .. } => c.contribute(&mut tx, today, amount).await?,
            Step::Expense { amount, .. } => c.spend(&mut tx, today, amount).await?,
            Step::Give {
                amount,
                beneficiaries,
                days_ago,
                ..
            } => {
                c.give(&mut tx, today, amount, beneficiaries, days_ago)
                    .await?
            }
            Step::Reverse { pick: i, .. } => {
                if let Some(e) = pick(&c.entries, i) {
                    let r = soi_service::funds::reverse(&mut tx, e, "Correction").await?;
                    c.entries.push(r.id);
                }
            }
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            tx.commit().await.map_err(fail)?;
            count(step, None);
            Ok(true)
        }
        Err(e @ (Error::Conflict(_) | Error::Invalid(_) | Error::NotFound(_))) => {
            count(step, Some(e.to_string()));
            Ok(false)
        }
        Err(e) => Err(fail(format!("{step:?}: {e}"))),
    }
}

async fn run(
    db: &Db,
    sys: &SystemDb,
    owner: &mut PgConnection,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut cities = Vec::new();
    for zone in ZONES {
        cities.push(new_city(db, sys, zone).await);
    }
    let half = steps.len() / 2;
    for (i, step) in steps.iter().enumerate() {
        apply(db, &mut cities, step).await?;
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

#[test]
fn random_activity_keeps_every_rollup_equal_to_the_base_tables() {
    let cases: u32 = std::env::var("ROLLUP_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let config = Config {
        max_shrink_iters: 200,
        ..props::config(cases)
    };
    let strategy = prop::collection::vec(step(), 10..=40);
    let result = props::drive(config, &strategy, async |db, sys, owner, steps| {
        run(db, sys, owner, steps).await
    });
    let stats = STATS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (k, (ok, refused, last)) in stats.iter() {
        eprintln!("{k:>13}: {ok:>4} accepted, {refused:>4} refused  {last}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every kind of activity happened for real somewhere in the run.
    for k in [
        "apply",
        "decide",
        "schedule",
        "cancel",
        "reschedule",
        "attend",
        "skill",
        "create_event",
        "move_event",
        "done",
        "sale",
        "refund",
        "check_in",
        "contribution",
        "expense",
        "give",
        "reverse",
    ] {
        assert!(
            stats.get(k).is_some_and(|s| s.0 > 0),
            "no {k} step was ever accepted: {stats:?}"
        );
    }
}

/// The demo seed writes in bulk (insert_many of sessions, attendance without
/// a recorder, skills, tickets…): the triggers keep up with that too.
#[tokio::test]
async fn the_demo_seed_leaves_rollups_equal_to_the_base_tables() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    soi_seed::demo::run(&sys, &db, 7, &[])
        .await
        .expect("demo seed");
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
    db.close().await;
    sys.close().await;
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
        let v = reports::national_version(&mut r).await.expect("version");
        r.finish().await.expect("finish");
        // The one-round-trip read the cached answers use says the same.
        assert_eq!(db.national_version().await.expect("one trip"), v);
        v
    };
    let city_version = |city: CityId| {
        let db = &db;
        async move {
            let mut tx = tenant(db, city).await;
            let v = reports::city_version(&mut tx).await.expect("version");
            tx.rollback().await.expect("rollback");
            // The one-round-trip read the cached city reports use, read after
            // it, is at least as new (a writer below may commit in between).
            let scope = soi_tests::rollup_city::ctx(city);
            assert!(db.city_version(&scope).await.expect("one trip") >= v);
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
    skills::record_pass(
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
    let scope = soi_tests::rollup_city::ctx(a.id);
    assert_eq!(db.city_version(&scope).await.expect("one trip"), city_now);
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
