//! Report rows read from the rollups: summed per key over a month range. A
//! city's admin reads through a [`TenantTx`] (their city, by `city_id = $3`
//! and by RLS); the national role through a [`ReportTx`] (every city, and
//! nothing but rollups). Coaches active are a distinct count per month, so a
//! row spanning months shows the busiest month's figure.

use crate::ReportTx;
use crate::Result;
use crate::TenantTx;
use chrono::NaiveDate;
use soi_core::CityId;
use soi_core::report::{FIELDS, Field, Figures, Grouping, median_of};
use sqlx::postgres::PgRow;
use sqlx::{Column, Row};
use uuid::Uuid;

/// The season key of figures that belong to no season.
pub const NO_SEASON: Uuid = Uuid::nil();

/// What a report is asked for: months `from..=to` (first days), keyed by `by`
/// (`None`: one row of totals).
#[derive(Debug, Clone, Copy)]
pub struct ReportQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<Grouping>,
}

/// One row: its key (the parts the grouping uses) and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub city: Option<CityLabel>,
    pub month: Option<NaiveDate>,
    pub season: Option<SeasonLabel>,
    pub figures: Figures,
}

/// A city as reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CityLabel {
    pub id: CityId,
    pub slug: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
}

/// A season as reports name it; `title` is `None` for figures outside any
/// season.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonLabel {
    pub id: Uuid,
    pub title: Option<String>,
    pub starts_on: Option<NaiveDate>,
}

/// The key columns of a grouping.
fn key_columns(by: Option<Grouping>) -> &'static [&'static str] {
    match by {
        None => &[],
        Some(Grouping::City) => &["city_id"],
        Some(Grouping::Month) => &["month"],
        Some(Grouping::Season) => &["city_id", "season_id"],
    }
}

/// The sums as CTEs ending in `k`, one row per key. Every figure is a plain
/// sum over the key's rows but coaches active, which are distinct per month:
/// a key that spans months shows its busiest month (sum per key and month,
/// then the largest) — one column aggregated twice, not all of them (that
/// doubled the cost of every national read). `$1`/`$2` bound the months,
/// `$3` the city when `one_city`.
fn sums(key: &[&str], one_city: bool) -> String {
    let city_filter = if one_city { " and r.city_id = $3" } else { "" };
    let filter = format!("r.month between $1 and $2{city_filter}");
    let keyed = |alias: &str| {
        key.iter()
            .map(|k| format!("{alias}.{k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (select_key, group_key) = if key.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("{}, ", keyed("r")),
            format!(" group by {}", keyed("r")),
        )
    };
    let by_month = key.contains(&"month");
    let plain = Field::ALL
        .iter()
        .filter(|f| by_month || **f != Field::ActiveCoaches)
        .map(|f| format!("soi_sum8(r.{c}) as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let p = format!("p as (select {select_key}{plain} from rollups r where {filter}{group_key})");
    if by_month {
        // Each key is one month: its coaches are a plain sum too.
        return format!("with {p}, k as (select * from p)");
    }
    let coaches = Field::ActiveCoaches.column();
    if key.contains(&"city_id") && key.contains(&"season_id") {
        // A key of city and season has one rollup row per month (the
        // primary key is city, month, season): its busiest month is its
        // largest row, so one aggregation gives everything. At 2,000
        // cities this took the statement from about 45 to 17 ms. `x` (the
        // months' coaches over every key) is read only for the totals.
        return format!(
            "with x as (select r.month, sum(r.{coaches}) as n from rollups r \
                   where {filter} group by r.month), \
             k as (select {select_key}{plain}, coalesce(max(r.{coaches}), 0)::bigint as {coaches} \
                   from rollups r where {filter}{group_key})"
        );
    }
    let x_key = keyed("x");
    let (x_select, x_group, join) = if key.is_empty() {
        (String::new(), String::new(), "cross join c".to_owned())
    } else {
        (
            format!("{x_key}, "),
            format!(" group by {x_key}"),
            format!("join c using ({})", key.join(", ")),
        )
    };
    format!(
        "with {p}, \
         x as (select {select_key}r.month, sum(r.{coaches}) as n from rollups r \
               where {filter} group by {select_key}r.month), \
         c as (select {x_select}coalesce(max(x.n), 0)::bigint as {coaches} from x{x_group}), \
         k as (select p.*, c.{coaches} from p {join})"
    )
}

/// The column of the busiest month's coaches of every key together, which
/// the totals show: a key spanning months has its months in `x`.
const ALL_COACHES: &str = "all_active_coaches";

/// Builds the statement of report rows: the sums, with the labels of their
/// city and season; `all_coaches` adds [`ALL_COACHES`] (by city or season).
fn statement(by: Option<Grouping>, one_city: bool) -> String {
    format!("{} order by 1, 2, 3", statement_with(by, one_city, false))
}

/// The rows unordered (see [`id_order`]).
fn statement_with(by: Option<Grouping>, one_city: bool, all_coaches: bool) -> String {
    let key = key_columns(by);
    let pick = |col: &str, ty: &str| {
        if key.contains(&col) {
            format!("k.{col}")
        } else {
            format!("null::{ty}")
        }
    };
    let season_city = if one_city { " and s.city_id = $3" } else { "" };
    format!(
        "{sums} select {city} as city_id, {month} as month, {season} as season_id, \
           c.slug, c.name_kk, c.name_ru, c.name_en, s.title, s.starts_on, k.*{all} \
         from k left join cities c on c.id = {city} \
         left join rollup_seasons s on s.city_id = {city} and s.season_id = {season}{season_city}",
        sums = sums(key, one_city),
        city = pick("city_id", "uuid"),
        month = pick("month", "date"),
        season = pick("season_id", "uuid"),
        all = if all_coaches {
            format!(
                ", (select coalesce(max(y.s), 0)::bigint from \
                   (select sum(x.n) as s from x group by x.month) y) as {ALL_COACHES}"
            )
        } else {
            String::new()
        },
    )
}

/// The per-city sums alone (no labels): what a median is taken over.
fn per_city_statement() -> String {
    format!("{} select k.* from k", sums(&["city_id"], false))
}

/// Where a report statement's columns are, found once from its first row:
/// looking each column up by name in each of thousands of rows cost more
/// than decoding them. A name selected twice (`k.*` repeats the key) is the
/// column a lookup by name finds (both hold the same value).
fn column(row: &PgRow, name: &str) -> Result<usize> {
    Ok(row.try_column(name)?.ordinal())
}

/// The figures' columns.
struct FigureColumns([usize; FIELDS]);

impl FigureColumns {
    fn of(row: &PgRow) -> Result<Self> {
        let mut at = [0; FIELDS];
        for f in Field::ALL {
            at[f.index()] = column(row, f.column())?;
        }
        Ok(Self(at))
    }

    fn read(&self, row: &PgRow) -> Result<Figures> {
        let mut figures = Figures::default();
        for (value, at) in figures.0.iter_mut().zip(self.0) {
            *value = row.try_get::<i64, _>(at)?;
        }
        Ok(figures)
    }
}

/// The columns of a row's key and labels.
struct LabelColumns {
    city_id: usize,
    slug: usize,
    name_kk: usize,
    name_ru: usize,
    name_en: usize,
    month: usize,
    season_id: usize,
    title: usize,
    starts_on: usize,
}

impl LabelColumns {
    fn of(row: &PgRow) -> Result<Self> {
        Ok(Self {
            city_id: column(row, "city_id")?,
            slug: column(row, "slug")?,
            name_kk: column(row, "name_kk")?,
            name_ru: column(row, "name_ru")?,
            name_en: column(row, "name_en")?,
            month: column(row, "month")?,
            season_id: column(row, "season_id")?,
            title: column(row, "title")?,
            starts_on: column(row, "starts_on")?,
        })
    }

    fn read(&self, row: &PgRow, figures: Figures) -> Result<ReportRow> {
        let city_id: Option<Uuid> = row.try_get(self.city_id)?;
        let city = match (city_id, row.try_get::<Option<String>, _>(self.slug)?) {
            (Some(id), Some(slug)) => Some(CityLabel {
                id: CityId::from(id),
                slug,
                name_kk: row.try_get(self.name_kk)?,
                name_ru: row.try_get(self.name_ru)?,
                name_en: row.try_get(self.name_en)?,
            }),
            _ => None,
        };
        let season = row
            .try_get::<Option<Uuid>, _>(self.season_id)?
            .map(|id| -> Result<SeasonLabel> {
                Ok(SeasonLabel {
                    id,
                    title: row.try_get(self.title)?,
                    starts_on: row.try_get(self.starts_on)?,
                })
            })
            .transpose()?;
        Ok(ReportRow {
            city,
            month: row.try_get(self.month)?,
            season,
            figures,
        })
    }
}

/// Report rows with their labels.
fn decode(rows: &[PgRow]) -> Result<Vec<ReportRow>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let (figures, labels) = (FigureColumns::of(first)?, LabelColumns::of(first)?);
    rows.iter()
        .map(|r| labels.read(r, figures.read(r)?))
        .collect()
}

/// The figures alone of each row.
fn figures_of(rows: &[PgRow]) -> Result<Vec<Figures>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let figures = FigureColumns::of(first)?;
    rows.iter().map(|r| figures.read(r)).collect()
}

async fn fetch<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    q: &ReportQuery,
    city: Option<Uuid>,
) -> Result<Vec<ReportRow>> {
    let sql = statement(q.by, city.is_some());
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.from)
        .bind(q.to);
    if let Some(city) = city {
        query = query.bind(city);
    }
    let rows = query.fetch_all(conn).await?;
    decode(&rows)
}

/// Rows in the order of their key's ids, as `order by 1, 2, 3` gives them
/// (uuids compare as bytes in both; within one grouping a key column is
/// null in every row or in none). A national report's rows are withheld in
/// this order; sorting 4,000 rows here took a few milliseconds off the
/// statement, where PostgreSQL sorted them as wide tuples.
fn id_order(a: &ReportRow, b: &ReportRow) -> std::cmp::Ordering {
    let key = |r: &ReportRow| {
        (
            r.city.as_ref().map(|c| c.id.as_uuid()),
            r.month,
            r.season.as_ref().map(|s| s.id),
        )
    };
    key(a).cmp(&key(b))
}

/// Every city's rows keyed by `by`, and their totals, as the national role,
/// from one statement: every figure of the totals is the sum of the rows'
/// (the keys split the rollups' rows), but coaches, which are the busiest
/// month's — over the month rows, the largest; over cities or seasons, the
/// statement's [`ALL_COACHES`] (what the totals' own statement would read).
pub async fn national_with_totals(
    tx: &mut ReportTx,
    q: &ReportQuery,
) -> Result<(Vec<ReportRow>, Figures)> {
    let Some(by) = q.by else {
        // No key: the one row is the totals.
        let rows = national(tx, q).await?;
        let totals = rows.first().map(|r| r.figures).unwrap_or_default();
        return Ok((rows, totals));
    };
    let by_month = by == Grouping::Month;
    let sql = statement_with(Some(by), false, !by_month);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.from)
        .bind(q.to)
        .fetch_all(tx.conn())
        .await?;
    let mut decoded = decode(&rows)?;
    decoded.sort_unstable_by(id_order);
    let mut totals = Figures::default();
    for r in &decoded {
        for f in Field::ALL {
            totals.0[f.index()] += r.figures.get(f);
        }
    }
    let coaches = Field::ActiveCoaches.index();
    totals.0[coaches] = match rows.first() {
        None => 0,
        Some(_) if by_month => decoded
            .iter()
            .map(|r| r.figures.get(Field::ActiveCoaches))
            .max()
            .unwrap_or(0),
        Some(first) => first.try_get(ALL_COACHES)?,
    };
    Ok((decoded, totals))
}

/// Every city's rows, as the national role.
pub async fn national(tx: &mut ReportTx, q: &ReportQuery) -> Result<Vec<ReportRow>> {
    fetch(tx.conn(), q, None).await
}

/// One city's rows, as the national role (a city's drill-down; its id as
/// the national rows name it).
pub async fn national_of_city(
    tx: &mut ReportTx,
    q: &ReportQuery,
    city: CityId,
) -> Result<Vec<ReportRow>> {
    fetch(tx.conn(), q, Some(city.as_uuid())).await
}

/// The transaction's city's rows.
pub async fn city(tx: &mut TenantTx, q: &ReportQuery) -> Result<Vec<ReportRow>> {
    let (city, conn) = tx.parts();
    fetch(conn, q, Some(city)).await
}

/// How many cities have figures in the months, and the median of each
/// figure over those cities (per-city totals as the CITY grouping sums
/// them). The per-city rows come without labels; the median is taken here
/// (24 ordered-set aggregates in SQL cost more than sorting 200 numbers).
pub async fn national_median(tx: &mut ReportTx, q: &ReportQuery) -> Result<(i64, Figures)> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(per_city_statement()))
        .bind(q.from)
        .bind(q.to)
        .fetch_all(tx.conn())
        .await?;
    let per_city = figures_of(&rows)?;
    let count = i64::try_from(per_city.len()).unwrap_or(i64::MAX);
    Ok((count, median_of(&per_city)))
}

/// The state of every city's figures: the sum of the cities' change
/// counters, which rises with each committed change of any figure (the
/// counters are raised under a row lock, in commit order). A cached national
/// report keyed by it is never stale.
pub async fn national_version(tx: &mut ReportTx) -> Result<i64> {
    Ok(
        sqlx::query_scalar("select coalesce(sum(version), 0)::bigint from rollup_versions")
            .fetch_one(tx.conn())
            .await?,
    )
}

/// The state of the transaction's city's figures: its change counter.
pub async fn city_version(tx: &mut TenantTx) -> Result<i64> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select coalesce((select version from rollup_versions where city_id = $1), 0)",
    )
    .bind(city)
    .fetch_one(conn)
    .await?)
}
