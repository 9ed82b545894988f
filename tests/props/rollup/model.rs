//! The rollups recomputed from the base tables: plain SQL on the owner's
//! (superuser) connection following the definitions in the header of the
//! rollups migration (one part per group of figures, not per step kind:
//! the model does not know how the figures were made), the stored rollups
//! in the same shape, and a readable diff of the two.

use chrono::NaiveDate;
use soi_core::report::{FIELDS, Field};
use sqlx::{PgConnection, Row};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A rollup row's key: (city, month, season; the nil season for figures of
/// no season).
pub type Key = (Uuid, NaiveDate, Uuid);
/// Rollup rows by key, the figures in [`Field::ALL`] order.
pub type Table = BTreeMap<Key, [i64; FIELDS]>;

/// The figure columns as bigints, for a select (`prefix` names the source).
fn columns(prefix: &str) -> String {
    Field::ALL
        .iter()
        .map(|f| format!("{prefix}{c}::bigint as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads rows of (city_id, month, season_id, figures…) into a [`Table`].
fn to_table(rows: &[sqlx::postgres::PgRow]) -> Table {
    rows.iter()
        .map(|r| {
            let mut v = [0i64; FIELDS];
            for f in Field::ALL {
                v[f.index()] = r.get::<i64, _>(f.column());
            }
            (
                (
                    r.get::<Uuid, _>("city_id"),
                    r.get::<NaiveDate, _>("month"),
                    r.get::<Uuid, _>("season_id"),
                ),
                v,
            )
        })
        .collect()
}

/// The rollups as stored (every city).
pub async fn stored(owner: &mut PgConnection) -> Table {
    let sql = format!(
        "select city_id, month, season_id, {} from rollups",
        columns("")
    );
    to_table(
        &sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(owner)
            .await
            .expect("rollups"),
    )
}

/// Each part yields (city_id, month, season_id) and some figures; missing
/// figures are zero.
const PARTS: &[(&str, &[&str])] = &[
    (
        // Applications: the cohort of the month applied, by status now.
        "select e.city_id, date_trunc('month', e.applied_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) as applicants, \
           count(*) filter (where e.status = 'accepted') as accepted, \
           count(*) filter (where e.status = 'waitlisted') as waitlisted, \
           count(*) filter (where e.status = 'rejected') as rejected, \
           count(*) filter (where e.status = 'active') as active, \
           count(*) filter (where e.status = 'completed') as completed, \
           count(*) filter (where e.status = 'withdrawn') as withdrawn \
         from enrollments e join z on z.city_id = e.city_id where e.city_id = any($1) group by 1, 2, 3",
        &[
            "applicants",
            "accepted",
            "waitlisted",
            "rejected",
            "active",
            "completed",
            "withdrawn",
        ],
    ),
    (
        // Sessions: held = scheduled with attendance taken; cancelled.
        "select s.city_id, date_trunc('month', s.starts_at at time zone z.time_zone)::date as month, g.season_id, \
           count(*) filter (where s.status = 'scheduled' and exists \
             (select 1 from attendance a where a.city_id = s.city_id and a.session_id = s.id and a.city_id = any($1))) as sessions_held, \
           count(*) filter (where s.status = 'cancelled') as sessions_cancelled \
         from training_sessions s join groups g on g.city_id = s.city_id and g.id = s.group_id \
         join z on z.city_id = s.city_id where s.city_id = any($1) group by 1, 2, 3",
        &["sessions_held", "sessions_cancelled"],
    ),
    (
        // Attendance marks, present or late, coaches who recorded them.
        "select s.city_id, date_trunc('month', s.starts_at at time zone z.time_zone)::date as month, g.season_id, \
           count(*) as attendance_marks, \
           count(*) filter (where a.mark in ('present', 'late')) as attendance_present, \
           count(distinct a.recorded_by) as active_coaches \
         from attendance a join training_sessions s on s.city_id = a.city_id and s.id = a.session_id \
         join groups g on g.city_id = s.city_id and g.id = s.group_id \
         join z on z.city_id = s.city_id where a.city_id = any($1) group by 1, 2, 3",
        &["attendance_marks", "attendance_present", "active_coaches"],
    ),
    (
        "select k.city_id, date_trunc('month', k.passed_on)::date as month, \
           '00000000-0000-0000-0000-000000000000'::uuid as season_id, count(*) as skills_passed \
         from skill_assessments k where k.city_id = any($1) group by 1, 2, 3",
        &["skills_passed"],
    ),
    (
        "select e.city_id, date_trunc('month', e.starts_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) filter (where e.kind = 'ice_show' and e.status = 'done') as shows_held \
         from events e join z on z.city_id = e.city_id where e.city_id = any($1) group by 1, 2, 3",
        &["shows_held"],
    ),
    (
        "select e.city_id, date_trunc('month', e.starts_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) filter (where t.status = 'valid') as tickets_sold, \
           count(*) filter (where t.status = 'valid' and t.checked_in_at is not null) as tickets_checked_in \
         from tickets t join ticket_types tt on tt.city_id = t.city_id and tt.id = t.ticket_type_id \
         join events e on e.city_id = tt.city_id and e.id = tt.event_id \
         join z on z.city_id = e.city_id where t.city_id = any($1) group by 1, 2, 3",
        &["tickets_sold", "tickets_checked_in"],
    ),
    (
        // Money by the month written; a reversal counts against the kind of
        // the entry it reverses; ticket money carries the event's season.
        "select l.city_id, date_trunc('month', l.recorded_at at time zone z.time_zone)::date as month, \
           case when root.kind in ('ticket_sale', 'refund') then ev.season_id \
                else '00000000-0000-0000-0000-000000000000'::uuid end as season_id, \
           coalesce(sum(l.amount_tiyn) filter (where root.kind in ('ticket_sale', 'refund')), 0) as ticket_revenue_tiyn, \
           coalesce(sum(l.amount_tiyn) filter (where root.kind = 'contribution'), 0) as sponsor_money_tiyn, \
           coalesce(-sum(l.amount_tiyn) filter (where root.kind = 'expense'), 0) as expenses_tiyn, \
           coalesce(-sum(l.amount_tiyn) filter (where root.kind = 'disbursement'), 0) as given_to_causes_tiyn \
         from ledger_entries l \
         join ledger_entries root on root.city_id = l.city_id and root.id = coalesce(l.reverses_id, l.id) \
         left join ticket_orders o on o.city_id = root.city_id and o.id = root.order_id \
         left join events ev on ev.city_id = o.city_id and ev.id = o.event_id \
         join z on z.city_id = l.city_id where l.city_id = any($1) group by 1, 2, 3",
        &[
            "ticket_revenue_tiyn",
            "sponsor_money_tiyn",
            "expenses_tiyn",
            "given_to_causes_tiyn",
        ],
    ),
    (
        "select d.city_id, date_trunc('month', d.paid_on)::date as month, \
           '00000000-0000-0000-0000-000000000000'::uuid as season_id, sum(d.beneficiaries) as beneficiaries \
         from disbursements d where d.city_id = any($1) \
           and not exists (select 1 from ledger_entries x join ledger_entries r \
                           on r.city_id = x.city_id and r.reverses_id = x.id \
                           where x.city_id = d.city_id and x.disbursement_id = d.id) \
         group by 1, 2, 3",
        &["beneficiaries"],
    ),
];

/// The figures recomputed from the base tables, for the given cities.
pub async fn recompute(owner: &mut PgConnection, cities: &[Uuid]) -> Table {
    let parts = PARTS
        .iter()
        .map(|(sql, cols)| {
            let figures = Field::ALL
                .iter()
                .map(|f| {
                    if cols.contains(&f.column()) {
                        format!("p.{c}::bigint as {c}", c = f.column())
                    } else {
                        format!("0::bigint as {}", f.column())
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("select p.city_id, p.month, p.season_id, {figures} from ({sql}) p")
        })
        .collect::<Vec<_>>()
        .join(" union all ");
    let sums = Field::ALL
        .iter()
        .map(|f| format!("sum(u.{c})::bigint as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "with z as (select id as city_id, time_zone from cities) \
         select u.city_id, u.month, u.season_id, {sums} from ({parts}) u group by 1, 2, 3"
    );
    to_table(
        &sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cities)
            .fetch_all(owner)
            .await
            .expect("recompute"),
    )
}

/// The nonzero figures of a row, named, for failure messages.
fn named(v: &[i64; FIELDS]) -> String {
    Field::ALL
        .iter()
        .filter(|f| v[f.index()] != 0)
        .map(|f| format!("{}={}", f.column(), v[f.index()]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every key with a figure on either side must agree; rows of zeros in the
/// rollups are allowed where nothing is left to count.
pub fn diff(want: &Table, got: &Table) -> Vec<String> {
    let keys: BTreeSet<&Key> = want.keys().chain(got.keys()).collect();
    let zero = [0i64; FIELDS];
    let mut out = Vec::new();
    for k in keys {
        let w = want.get(k).unwrap_or(&zero);
        let g = got.get(k).unwrap_or(&zero);
        if w != g {
            let delta: Vec<String> = Field::ALL
                .iter()
                .filter(|f| w[f.index()] != g[f.index()])
                .map(|f| format!("{}: want {} got {}", f.column(), w[f.index()], g[f.index()]))
                .collect();
            out.push(format!(
                "city {} month {} season {}: {} (want [{}], got [{}])",
                k.0,
                k.1,
                k.2,
                delta.join(", "),
                named(w),
                named(g)
            ));
        }
    }
    out
}
