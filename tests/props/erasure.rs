//! Random erasures leave every figure exactly as it was. Each case runs a
//! random history of program activity (the rollup property test's steps:
//! applications, decisions, sessions, marks, skills, shows, ticket sales
//! and refunds, money in and out) in fresh cities, gives some of the
//! ticket orders to the people it will erase (so buyers are erased too),
//! has some of them withdraw consent first, then reads every figure: the
//! stored rollups and their recomputation from the base tables, the
//! national report in every grouping and its median, each city's report in
//! every grouping, each city's ledger balance and transparency report. Then
//! it erases random people (each in its own transaction, some twice) and
//! reads them all again: before == after, exactly, and the erased hold no
//! personal data.

use crate::driver::{self, fail};
use crate::rollup::check::GROUPINGS;
use crate::rollup::city::{City, new_city};
use crate::rollup::history::{self, Stats, ZONES};
use crate::rollup::model::{diff, recompute, stored};
use crate::rollup::steps::{self, Step};
use chrono::{Datelike, Months, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use soi_db::funds::{ledger, transparency};
use soi_db::reports::rollups::{self, ReportQuery};
use soi_db::{Db, SystemDb};
use soi_service::privacy::{self, Policy};
use soi_tests::tenant;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::sync::Mutex;
use uuid::Uuid;

/// Someone to erase: a city of the case and a person of it, whether they
/// withdraw consent before the figures are read, whether they are erased a
/// second time.
#[derive(Debug, Clone)]
struct Pick {
    city: usize,
    person: Index,
    withdraws_first: bool,
    twice: bool,
}

fn picks() -> impl Strategy<Value = Vec<Pick>> {
    let pick = (0..ZONES.len(), any::<Index>(), any::<bool>(), any::<bool>()).prop_map(
        |(city, person, withdraws_first, twice)| Pick {
            city,
            person,
            withdraws_first,
            twice,
        },
    );
    prop::collection::vec(pick, 1..=6)
}

/// Every figure the platform shows, by name, as text (exact: integers and
/// the reports' own Debug forms).
async fn figures(
    db: &Db,
    owner: &mut PgConnection,
    cities: &[City],
) -> Result<BTreeMap<String, String>, TestCaseError> {
    let ids: Vec<Uuid> = cities.iter().map(|c| c.id.as_uuid()).collect();
    let mut out = BTreeMap::new();
    let all = stored(owner).await;
    let mine = recompute(owner, &ids).await;
    for (k, v) in all.iter().filter(|(k, _)| ids.contains(&k.0)) {
        out.insert(format!("rollup {k:?}"), format!("{v:?}"));
    }
    let d = diff(
        &mine,
        &all.into_iter()
            .filter(|(k, _)| ids.contains(&k.0))
            .collect(),
    );
    prop_assert!(
        d.is_empty(),
        "rollups differ from the base tables:\n{}",
        d.join("\n")
    );
    let this = Utc::now().date_naive().with_day(1).expect("first");
    let (from, to) = (this - Months::new(14), this + Months::new(14));
    let mut national = db.report().await.map_err(fail)?;
    for by in GROUPINGS {
        let q = ReportQuery { from, to, by };
        let rows = rollups::national(&mut national, &q).await.map_err(fail)?;
        out.insert(format!("national by {by:?}"), format!("{rows:?}"));
    }
    let q = ReportQuery { from, to, by: None };
    let median = rollups::national_median(&mut national, &q)
        .await
        .map_err(fail)?;
    out.insert("national median".into(), format!("{median:?}"));
    national.finish().await.map_err(fail)?;
    for c in cities {
        let mut tx = tenant(db, c.id).await;
        for by in GROUPINGS {
            let q = ReportQuery { from, to, by };
            let rows = rollups::city(&mut tx, &q).await.map_err(fail)?;
            out.insert(format!("city {} by {by:?}", c.id), format!("{rows:?}"));
        }
        let balance = ledger::balance(&mut tx).await.map_err(fail)?;
        out.insert(format!("balance of {}", c.id), balance.to_string());
        let report = transparency::report(&mut tx, None, None)
            .await
            .map_err(fail)?;
        out.insert(format!("transparency of {}", c.id), format!("{report:?}"));
        tx.rollback().await.map_err(fail)?;
    }
    Ok(out)
}

/// Gives the order at `order` of the city's orders to the person (their
/// address and name as the buyer's): erasing them must erase the buyer.
async fn give_order(
    owner: &mut PgConnection,
    c: &City,
    order: &Index,
    person: Uuid,
) -> Result<(), TestCaseError> {
    if c.orders.is_empty() {
        return Ok(());
    }
    let o = order.get(&c.orders);
    sqlx::query(
        "update ticket_orders o set buyer_email = p.email, buyer_name = p.first_name \
         from participants p where o.city_id = $1 and o.id = $2 and p.city_id = $1 and p.id = $3",
    )
    .bind(c.id.as_uuid())
    .bind(o.as_uuid())
    .bind(person)
    .execute(owner)
    .await
    .map_err(fail)?;
    Ok(())
}

async fn case(
    db: &Db,
    sys: &SystemDb,
    owner: &mut PgConnection,
    (steps, picks): &(Vec<Step>, Vec<Pick>),
    stats: &Mutex<Stats>,
) -> Result<(), TestCaseError> {
    let mut cities: Vec<City> = Vec::new();
    for zone in ZONES {
        cities.push(new_city(db, sys, zone).await);
    }
    for step in steps {
        history::apply(db, &mut cities, step, stats).await?;
    }
    let policy = Policy::default();
    let mut chosen = Vec::new();
    for p in picks {
        let c = &cities[p.city];
        let who = *p.person.get(&c.people);
        give_order(owner, c, &p.person, who.as_uuid()).await?;
        if p.withdraws_first {
            let mut tx = tenant(db, c.id).await;
            privacy::withdraw_consent(&mut tx, &policy, who)
                .await
                .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }
        chosen.push((c.id, who, p.twice));
    }

    let people: Vec<Uuid> = chosen.iter().map(|(_, w, _)| w.as_uuid()).collect();
    // (city, address) of each: addresses of applicants repeat across the
    // run's cities (`p<n>.applied@…`), so each is looked for in its city.
    let addresses: Vec<(Uuid, String)> =
        sqlx::query_as("select city_id, email from participants where id = any($1)")
            .bind(&people)
            .fetch_all(&mut *owner)
            .await
            .map_err(fail)?;
    let (in_cities, emails): (Vec<Uuid>, Vec<String>) = addresses.into_iter().unzip();
    let before = figures(db, owner, &cities).await?;
    for (city, who, twice) in &chosen {
        for _ in 0..if *twice { 2 } else { 1 } {
            let mut tx = tenant(db, *city).await;
            privacy::erase(&mut tx, *who).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }
    }
    let after = figures(db, owner, &cities).await?;
    let changed: Vec<String> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}:\n  before {v}\n  after  {:?}", after.get(k)))
        .collect();
    prop_assert!(
        changed.is_empty() && before.len() == after.len(),
        "erasing {:?} changed figures:\n{}",
        chosen,
        changed.join("\n")
    );

    // The erased hold nothing personal, and no row anywhere has their
    // address (orders they bought included).
    for (city, who, _) in &chosen {
        let (erased, email, name): (bool, String, String) = sqlx::query_as(
            "select erased_at is not null, email, first_name from participants where city_id = $1 and id = $2",
        )
        .bind(city.as_uuid())
        .bind(who.as_uuid())
        .fetch_one(&mut *owner)
        .await
        .map_err(fail)?;
        prop_assert!(erased && email.ends_with("@erased.invalid") && name == "Erased");
    }
    let left: (i64, i64, i64) = sqlx::query_as(
        "with x as (select * from unnest($1::uuid[], $2::text[]) as x (city, email)) \
         select (select count(*) from ticket_orders o join x on o.city_id = x.city and o.buyer_email = x.email), \
                (select count(*) from outbox o join x on o.city_id = x.city and o.recipient_email = x.email), \
                (select count(*) from participants p join x on p.city_id = x.city and p.email = x.email)",
    )
    .bind(&in_cities)
    .bind(&emails)
    .fetch_one(&mut *owner)
    .await
    .map_err(fail)?;
    prop_assert_eq!(
        left,
        (0, 0, 0),
        "rows (orders, emails, participants) still hold an erased address of {:?}",
        emails
    );
    Ok(())
}

#[test]
fn random_erasures_leave_every_report_rollup_balance_and_transparency_figure_unchanged() {
    let cases: u32 = std::env::var("ERASURE_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let stats = Mutex::new(Stats::default());
    let result = driver::drive(
        driver::config(cases),
        &(steps::histories(), picks()),
        async |db, sys, owner, value| case(db, sys, owner, value, &stats).await,
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
