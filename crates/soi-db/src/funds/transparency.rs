//! The public transparency report of a city: where its money came from and
//! where it went, computed from the ledger. It holds no personal data: no
//! sponsor names (a count only), no buyers, no expense descriptions, no
//! names of people helped (counts only).
//!
//! The period is by the day an entry was recorded, in the city's time zone;
//! a reversal counts in the period it was recorded, under the kind (tag,
//! cause) of the entry it reverses. Contributions in kind never enter the
//! ledger: they are counted by the day they were received. Every ledger read
//! scans the city's partition once: an entry and its reversal are grouped by
//! `coalesce(reverses_id, id)` rather than joined.

use crate::Result;
use crate::TenantTx;
use chrono::NaiveDate;

/// The report's figures, in tiyn; flows are net of reversals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Sponsors with a contribution (money or in kind) received in the
    /// period and not reversed.
    pub sponsors: i64,
    /// Money from sponsors.
    pub raised_tiyn: i64,
    /// Estimated value of contributions in kind received in the period.
    pub in_kind_tiyn: i64,
    pub ticket_sales_tiyn: i64,
    /// Refunded to ticket buyers (a positive figure).
    pub refunds_tiyn: i64,
    /// All expenses (a positive figure).
    pub spent_tiyn: i64,
    /// Everything given to causes (a positive figure).
    pub given_tiyn: i64,
    /// Balance before the period (0 without `from`).
    pub opening_balance_tiyn: i64,
    /// Balance at the end of the period.
    pub closing_balance_tiyn: i64,
    pub expenses: Vec<TagTotal>,
    pub causes: Vec<CauseTotal>,
}

/// Spending under one tag, net of reversals (tags with entries in the period).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TagTotal {
    pub tag: String,
    pub spent_tiyn: i64,
}

/// What one cause was given (every cause of the city, by title).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CauseTotal {
    pub title: String,
    pub target_tiyn: Option<i64>,
    /// Net of reversals recorded in the period.
    pub given_tiyn: i64,
    /// People helped by gifts recorded in the period and not reversed by its end.
    pub beneficiaries_helped: i64,
}

#[derive(sqlx::FromRow)]
struct Totals {
    raised_tiyn: i64,
    ticket_sales_tiyn: i64,
    refunds_tiyn: i64,
    spent_tiyn: i64,
    given_tiyn: i64,
    opening_balance_tiyn: i64,
    closing_balance_tiyn: i64,
}

/// The period's bounds as instants in the city's zone (null when open).
const BOUNDS: &str = "b as (select ($2::date)::timestamp at time zone c.time_zone as lo, \
                      ($3::date + 1)::timestamp at time zone c.time_zone as hi \
                      from cities c where c.id = $1)";
/// Whether entry `l` falls in the period.
const IN_PERIOD: &str =
    "(b.lo is null or l.recorded_at >= b.lo) and (b.hi is null or l.recorded_at < b.hi)";

/// The report for `from..=to` (either end open).
pub async fn report(
    tx: &mut TenantTx,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Report> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "with {BOUNDS}, g as ( \
           select (array_agg(l.kind) filter (where l.kind <> 'reversal'))[1] as kind, \
                  sum(l.amount_tiyn) filter (where {IN_PERIOD}) as in_period, \
                  sum(l.amount_tiyn) filter (where l.recorded_at < b.lo) as before, \
                  sum(l.amount_tiyn) filter (where b.hi is null or l.recorded_at < b.hi) as until_end \
           from ledger_entries l cross join b where l.city_id = $1 \
           group by coalesce(l.reverses_id, l.id)) \
         select coalesce(sum(in_period) filter (where kind = 'contribution'), 0)::bigint as raised_tiyn, \
                coalesce(sum(in_period) filter (where kind = 'ticket_sale'), 0)::bigint as ticket_sales_tiyn, \
                coalesce(-(sum(in_period) filter (where kind = 'refund')), 0)::bigint as refunds_tiyn, \
                coalesce(-(sum(in_period) filter (where kind = 'expense')), 0)::bigint as spent_tiyn, \
                coalesce(-(sum(in_period) filter (where kind = 'disbursement')), 0)::bigint as given_tiyn, \
                coalesce(sum(before), 0)::bigint as opening_balance_tiyn, \
                coalesce(sum(until_end), 0)::bigint as closing_balance_tiyn \
         from g"
    );
    let t: Totals = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await?;

    let (in_kind_tiyn, sponsors): (i64, i64) = sqlx::query_as(
        "select coalesce(sum(amount_tiyn) filter (where form = 'in_kind'), 0)::bigint, \
                count(distinct sponsor_id) \
         from contributions \
         where city_id = $1 and status = 'received' \
           and ($2::date is null or received_on >= $2) and ($3::date is null or received_on <= $3)",
    )
    .bind(city)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;

    let sql = format!(
        "with {BOUNDS}, g as ( \
           select (array_agg(l.expense_id) filter (where l.expense_id is not null))[1] as expense_id, \
                  sum(l.amount_tiyn) filter (where {IN_PERIOD}) as in_period \
           from ledger_entries l cross join b \
           where l.city_id = $1 and l.kind in ('expense', 'reversal') \
           group by coalesce(l.reverses_id, l.id)) \
         select x.tag, (-sum(g.in_period))::bigint as spent_tiyn \
         from g join expenses x on x.city_id = $1 and x.id = g.expense_id \
         where g.in_period is not null \
         group by x.tag order by x.tag"
    );
    let expenses: Vec<TagTotal> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;

    let sql = format!(
        "with {BOUNDS}, g as ( \
           select (array_agg(l.disbursement_id) filter (where l.disbursement_id is not null))[1] \
                    as disbursement_id, \
                  sum(l.amount_tiyn) filter (where {IN_PERIOD}) as in_period, \
                  coalesce(bool_or(l.kind = 'disbursement' and {IN_PERIOD}), false) as given_in_period, \
                  coalesce(bool_or(l.kind = 'reversal' and (b.hi is null or l.recorded_at < b.hi)), false) \
                    as reversed \
           from ledger_entries l cross join b \
           where l.city_id = $1 and l.kind in ('disbursement', 'reversal') \
           group by coalesce(l.reverses_id, l.id)) \
         select c.title, c.target_tiyn, \
                coalesce(-sum(g.in_period), 0)::bigint as given_tiyn, \
                coalesce(sum(d.beneficiaries) filter (where g.given_in_period and not g.reversed), 0)::bigint \
                  as beneficiaries_helped \
         from social_causes c \
         left join disbursements d on d.city_id = $1 and d.cause_id = c.id \
         left join g on g.disbursement_id = d.id \
         where c.city_id = $1 \
         group by c.city_id, c.id order by c.title"
    );
    let causes: Vec<CauseTotal> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;

    Ok(Report {
        from,
        to,
        sponsors,
        raised_tiyn: t.raised_tiyn,
        in_kind_tiyn,
        ticket_sales_tiyn: t.ticket_sales_tiyn,
        refunds_tiyn: t.refunds_tiyn,
        spent_tiyn: t.spent_tiyn,
        given_tiyn: t.given_tiyn,
        opening_balance_tiyn: t.opening_balance_tiyn,
        closing_balance_tiyn: t.closing_balance_tiyn,
        expenses,
        causes,
    })
}
