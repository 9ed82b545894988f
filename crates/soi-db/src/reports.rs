//! Report rows read from the rollups: summed per key over a month range. A
//! city's admin reads through a [`TenantTx`] (their city, by `city_id = $3`
//! and by RLS); the national role through a [`ReportTx`] (every city, and
//! nothing but rollups). Coaches active are a distinct count per month, so a
//! row spanning months shows the busiest month's figure.

use crate::error::Result;
use crate::report_tx::ReportTx;
use crate::tenant::TenantTx;
use chrono::NaiveDate;
use soi_core::CityId;
use soi_core::report::{Field, Figures, Grouping};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};
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

/// Builds the statement: per (key, month) sums first, then per key (sums, and
/// the largest month for coaches active).
fn statement(by: Option<Grouping>, one_city: bool) -> String {
    let key: &[&str] = match by {
        None => &[],
        Some(Grouping::City) => &["city_id"],
        Some(Grouping::Month) => &["month"],
        Some(Grouping::Season) => &["city_id", "season_id"],
    };
    let inner_sums = Field::ALL
        .iter()
        .map(|f| format!("sum(r.{c})::bigint as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let outer = Field::ALL
        .iter()
        .map(|f| {
            let agg = if *f == Field::ActiveCoaches {
                "max"
            } else {
                "sum"
            };
            format!("coalesce({agg}(m.{c}), 0)::bigint as {c}", c = f.column())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let pick = |col: &str, ty: &str| {
        if key.contains(&col) {
            format!("k.{col}")
        } else {
            format!("null::{ty}")
        }
    };
    let group_inner = key
        .iter()
        .map(|k| format!("r.{k}"))
        .chain(std::iter::once("r.month".to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    let key_inner = key
        .iter()
        .filter(|k| **k != "month")
        .map(|k| format!("r.{k}, "))
        .collect::<String>();
    let group_outer = if key.is_empty() {
        String::new()
    } else {
        format!(
            " group by {}",
            key.iter()
                .map(|k| format!("m.{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let key_outer = key.iter().map(|k| format!("m.{k}, ")).collect::<String>();
    let city_filter = if one_city { " and r.city_id = $3" } else { "" };
    let season_city = if one_city { " and s.city_id = $3" } else { "" };
    format!(
        "with m as (select {key_inner}r.month, {inner_sums} from rollups r \
           where r.month between $1 and $2{city_filter} group by {group_inner}), \
         k as (select {key_outer}{outer} from m{group_outer}) \
         select {city} as city_id, {month} as month, {season} as season_id, \
           c.slug, c.name_kk, c.name_ru, c.name_en, s.title, s.starts_on, k.* \
         from k left join cities c on c.id = {city} \
         left join rollup_seasons s on s.city_id = {city} and s.season_id = {season}{season_city} \
         order by 1, 2, 3",
        city = pick("city_id", "uuid"),
        month = pick("month", "date"),
        season = pick("season_id", "uuid"),
    )
}

fn decode(row: &PgRow) -> Result<ReportRow> {
    let mut figures = Figures::default();
    for f in Field::ALL {
        figures.0[f.index()] = row.try_get::<i64, _>(f.column())?;
    }
    let city_id: Option<Uuid> = row.try_get("city_id")?;
    let city = match (city_id, row.try_get::<Option<String>, _>("slug")?) {
        (Some(id), Some(slug)) => Some(CityLabel {
            id: CityId::from(id),
            slug,
            name_kk: row.try_get("name_kk")?,
            name_ru: row.try_get("name_ru")?,
            name_en: row.try_get("name_en")?,
        }),
        _ => None,
    };
    let season = row
        .try_get::<Option<Uuid>, _>("season_id")?
        .map(|id| -> Result<SeasonLabel> {
            Ok(SeasonLabel {
                id,
                title: row.try_get("title")?,
                starts_on: row.try_get("starts_on")?,
            })
        })
        .transpose()?;
    Ok(ReportRow {
        city,
        month: row.try_get("month")?,
        season,
        figures,
    })
}

async fn fetch(
    conn: &mut PgConnection,
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
    rows.iter().map(decode).collect()
}

/// Every city's rows, as the national role.
pub async fn national(tx: &mut ReportTx, q: &ReportQuery) -> Result<Vec<ReportRow>> {
    fetch(tx.conn(), q, None).await
}

/// The transaction's city's rows.
pub async fn city(tx: &mut TenantTx, q: &ReportQuery) -> Result<Vec<ReportRow>> {
    let (city, conn) = tx.parts();
    fetch(conn, q, Some(city)).await
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
