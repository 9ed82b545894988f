//! The check a case runs (halfway and at the end): its cities' rollups
//! equal the recomputation, each session's counts equal its marks, and the
//! national and city reports, in every grouping, show what the recomputed
//! figures say.

use super::city::City;
use super::model::{Key, Table, diff, recompute, stored};
use crate::driver::fail;
use chrono::{Datelike, Months, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use soi_core::report::{FIELDS, Field, Figures, Grouping, median_of};
use soi_db::Db;
use soi_db::reports::rollups::{self, ReportQuery, ReportRow};
use soi_tests::tenant;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A report row's key: (city, month, season), the parts the grouping uses.
pub type RowKey = (Option<Uuid>, Option<NaiveDate>, Option<Uuid>);

/// Where a rollup row's figures land in a report grouped by `by`.
fn row_key(by: Option<Grouping>, (city, month, season): &Key) -> RowKey {
    match by {
        None => (None, None, None),
        Some(Grouping::City) => (Some(*city), None, None),
        Some(Grouping::Month) => (None, Some(*month), None),
        Some(Grouping::Season) => (Some(*city), None, Some(*season)),
    }
}

/// What a report over `from..=to` keyed by `by` must show, from recomputed
/// figures: sums, and for coaches the busiest month's sum (the definition in
/// reports.rs).
pub fn expected_report(
    t: &Table,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<Grouping>,
) -> BTreeMap<RowKey, Figures> {
    let mut per_month: BTreeMap<(RowKey, NaiveDate), [i64; FIELDS]> = BTreeMap::new();
    for (key, v) in t {
        if key.1 < from || key.1 > to {
            continue;
        }
        let acc = per_month
            .entry((row_key(by, key), key.1))
            .or_insert([0; FIELDS]);
        for i in 0..FIELDS {
            acc[i] += v[i];
        }
    }
    let mut out: BTreeMap<RowKey, Figures> = BTreeMap::new();
    for ((key, _), v) in per_month {
        let acc = out.entry(key).or_default();
        for f in Field::ALL {
            let i = f.index();
            if f == Field::ActiveCoaches {
                acc.0[i] = acc.0[i].max(v[i]);
            } else {
                acc.0[i] += v[i];
            }
        }
    }
    nonzero(out)
}

/// A report's rows by key (rows of zeros left out, as in
/// [`expected_report`]).
pub fn report_map(rows: &[ReportRow]) -> BTreeMap<RowKey, Figures> {
    nonzero(
        rows.iter()
            .map(|r| {
                (
                    (
                        r.city.as_ref().map(|c| c.id.as_uuid()),
                        r.month,
                        r.season.as_ref().map(|s| s.id),
                    ),
                    r.figures,
                )
            })
            .collect(),
    )
}

/// Drops rows whose figures are all zero: either side may have them.
fn nonzero(m: BTreeMap<RowKey, Figures>) -> BTreeMap<RowKey, Figures> {
    m.into_iter()
        .filter(|(_, f)| f.0.iter().any(|v| *v != 0))
        .collect()
}

/// Every grouping a report can be asked for.
pub const GROUPINGS: [Option<Grouping>; 4] = [
    None,
    Some(Grouping::City),
    Some(Grouping::Month),
    Some(Grouping::Season),
];

/// Season rows name their season (from the labels), and figures of no
/// season have no title.
pub fn labels_ok(rows: &[ReportRow], titles: &BTreeMap<Uuid, String>) -> Result<(), String> {
    for r in rows {
        if let Some(s) = &r.season {
            let want = titles.get(&s.id).cloned();
            if s.title != want {
                return Err(format!(
                    "season {} labelled {:?}, want {:?}",
                    s.id, s.title, want
                ));
            }
        }
    }
    Ok(())
}

/// Checks the case's `cities`: their rollups equal the recomputation, and
/// the national report and each city's report, in every grouping, equal what
/// the recomputed figures (with the rollups of earlier cases' cities) say.
/// `when` tells where in the history the check ran.
pub async fn check(
    db: &Db,
    owner: &mut PgConnection,
    cities: &[City],
    when: &str,
) -> Result<(), TestCaseError> {
    // The case's cities are recomputed; the rollups of earlier cases' cities
    // were checked when their case ended and nothing has touched them since,
    // so together they are what the national report must show.
    let ids: Vec<Uuid> = cities.iter().map(|c| c.id.as_uuid()).collect();
    let mine = recompute(owner, &ids).await;
    let all = stored(owner).await;
    let got: Table = all
        .iter()
        .filter(|(k, _)| ids.contains(&k.0))
        .map(|(k, v)| (*k, *v))
        .collect();
    let d = diff(&mine, &got);
    prop_assert!(
        d.is_empty(),
        "rollups differ from the base tables {}:\n{}",
        when,
        d.join("\n")
    );
    let want: Table = all
        .into_iter()
        .filter(|(k, _)| !ids.contains(&k.0))
        .chain(mine)
        .collect();
    // Each session's own counts of marks (which a group's attendance rate
    // sums) equal its marks.
    let (off,): (i64,) = sqlx::query_as(
        "select count(*) from training_sessions s \
         left join (select city_id, session_id, count(*) as total, \
                           count(*) filter (where mark in ('present', 'late')) as present \
                    from attendance group by city_id, session_id) a \
           on a.city_id = s.city_id and a.session_id = s.id \
         where s.city_id = any($1) \
           and (s.marks_total <> coalesce(a.total, 0) or s.marks_present <> coalesce(a.present, 0))",
    )
    .bind(&ids)
    .fetch_one(&mut *owner)
    .await
    .map_err(fail)?;
    prop_assert_eq!(
        off,
        0,
        "sessions whose mark counts differ from their marks {}",
        when
    );

    // The reports over a range of months, in every grouping.
    let titles: BTreeMap<Uuid, String> = sqlx::query_as("select id, title from seasons")
        .fetch_all(&mut *owner)
        .await
        .map_err(fail)?
        .into_iter()
        .collect();
    let this = Utc::now().date_naive().with_day(1).expect("first");
    let (from, to) = (this - Months::new(2), this + Months::new(1));
    let mut national = db.report().await.map_err(fail)?;
    for by in GROUPINGS {
        let q = ReportQuery { from, to, by };
        let rows = rollups::national(&mut national, &q).await.map_err(fail)?;
        prop_assert_eq!(
            report_map(&rows),
            expected_report(&want, from, to, by),
            "national report by {:?} {}",
            by,
            when
        );
        labels_ok(&rows, &titles).map_err(fail)?;
        if by == Some(Grouping::City) {
            // The database's median is the median of these per-city rows.
            let per_city: Vec<Figures> = rows.iter().map(|r| r.figures).collect();
            let q = ReportQuery { from, to, by: None };
            let (compared, median) = rollups::national_median(&mut national, &q)
                .await
                .map_err(fail)?;
            prop_assert_eq!(compared, per_city.len() as i64, "cities compared {}", when);
            prop_assert_eq!(median, median_of(&per_city), "national median {}", when);
            // The median kept in the process (by the national version) is
            // never one of an earlier check's figures.
            let kept = db.national_median(from, to).await.map_err(fail)?;
            prop_assert_eq!(kept, (compared, median), "kept median {}", when);
        }
    }
    national.finish().await.map_err(fail)?;
    for c in cities {
        let mine: Table = want
            .iter()
            .filter(|((city, _, _), _)| *city == c.id.as_uuid())
            .map(|(k, v)| (*k, *v))
            .collect();
        let mut tx = tenant(db, c.id).await;
        for by in GROUPINGS {
            let q = ReportQuery { from, to, by };
            let rows = rollups::city(&mut tx, &q).await.map_err(fail)?;
            prop_assert_eq!(
                report_map(&rows),
                expected_report(&mine, from, to, by),
                "city report of {} by {:?} {}",
                c.id,
                by,
                when
            );
            labels_ok(&rows, &titles).map_err(fail)?;
        }
        tx.rollback().await.map_err(fail)?;
    }
    Ok(())
}
