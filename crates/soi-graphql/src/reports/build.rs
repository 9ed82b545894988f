//! Assembles reports from rollup rows: the national one through the national
//! role's transaction (rollups only), a city's through its tenant
//! transaction plus the national median. Used by GraphQL and the CSV route.

use super::inputs::*;
use super::nodes::*;
use soi_core::CityScope;
use soi_core::report::{Figures, Grouping, Shown, YearMonth, suppress_rows};
use soi_db::reports::rollups::{self, ReportQuery};
use soi_db::{Db, ReportTx, Result, TenantTx, cities};
use std::cmp::Ordering;

/// The question a report asks the db layer: the period, keyed by `by`.
fn query(period: &Period, by: Option<Grouping>) -> ReportQuery {
    ReportQuery {
        from: period.from.first_day(),
        to: period.to.first_day(),
        by,
    }
}

impl From<ReportGrouping> for Grouping {
    fn from(g: ReportGrouping) -> Self {
        match g {
            ReportGrouping::City => Grouping::City,
            ReportGrouping::Month => Grouping::Month,
            ReportGrouping::Season => Grouping::Season,
        }
    }
}

impl From<CityReportGrouping> for Grouping {
    fn from(g: CityReportGrouping) -> Self {
        match g {
            CityReportGrouping::Month => Grouping::Month,
            CityReportGrouping::Season => Grouping::Season,
        }
    }
}

fn city_label(c: rollups::CityLabel) -> ReportCity {
    ReportCity {
        slug: c.slug,
        name_kk: c.name_kk,
        name_ru: c.name_ru,
        name_en: c.name_en,
    }
}

/// A row of the answer, its labels moved out of the row read (a report by
/// season at 2,000 cities has 4,000 rows of six labels each).
fn row(r: rollups::ReportRow, figures: ReportFigures, with_city: bool) -> ReportRow {
    ReportRow {
        city: r.city.filter(|_| with_city).map(city_label),
        month: r.month.map(|m| YearMonth::of(m).to_string()),
        season: r.season.map(|s| ReportSeason {
            id: s.id.to_string().into(),
            title: s.title,
            starts_on: s.starts_on.map(crate::shared::date::Date),
        }),
        figures,
    }
}

fn totals_of(rows: &[rollups::ReportRow]) -> Figures {
    // A query without a key answers exactly one row.
    rows.first().map(|r| r.figures).unwrap_or_default()
}

/// Every city's figures for the national role, small groups suppressed, or
/// one city's (see [`national_city_in`]).
pub async fn national(
    db: &Db,
    period: Period,
    by: ReportGrouping,
    city: Option<&str>,
) -> Result<NationalReport> {
    let mut tx = db.report().await?;
    let report = national_any_in(&mut tx, period, by, city).await?;
    tx.finish().await?;
    Ok(report)
}

/// [`national_in`], or [`national_city_in`] when a city is named.
pub async fn national_any_in(
    tx: &mut ReportTx,
    period: Period,
    by: ReportGrouping,
    city: Option<&str>,
) -> Result<NationalReport> {
    match city {
        Some(slug) => national_city_in(tx, period, by, slug).await,
        None => national_in(tx, period, by).await,
    }
}

/// [`national`] in an open report transaction (whose snapshot it reads).
pub async fn national_in(
    tx: &mut ReportTx,
    period: Period,
    by: ReportGrouping,
) -> Result<NationalReport> {
    // One statement gives the rows and their totals.
    let (rows, totals) =
        rollups::national_with_totals(tx, &query(&period, Some(by.into()))).await?;
    let raw: Vec<Figures> = rows.iter().map(|r| r.figures).collect();
    let (shown, total) = suppress_rows(&raw, &totals);
    Ok(national_of(period, by, rows, &shown, &total, None))
}

/// A national report of rows with the figures shown of each and of the
/// totals; with `city`, every row names that city, whatever it is keyed by.
fn national_of(
    period: Period,
    by: ReportGrouping,
    rows: Vec<rollups::ReportRow>,
    shown: &[Shown],
    total: &Shown,
    city: Option<&rollups::CityLabel>,
) -> NationalReport {
    NationalReport {
        from: period.from.to_string(),
        to: period.to.to_string(),
        group_by: by,
        totals: total.into(),
        rows: rows
            .into_iter()
            .zip(shown)
            .map(|(r, s)| match city {
                Some(c) => ReportRow {
                    city: Some(city_label(c.clone())),
                    ..row(r, s.into(), false)
                },
                None => row(r, s.into(), true),
            })
            .collect(),
    }
}

/// One city's figures for the national role, keyed by `by` (its months or
/// seasons): suppressed as a table of their own with the city's totals, and
/// beyond that every figure the cities' comparison (the CITY grouping of the
/// same period) withholds for this city is withheld in every row and the
/// totals too, so a drill-down never adds up to a figure the comparison
/// hides. A city with no figures in the period (or no such city) answers no
/// rows and zero totals, as the comparison leaves it out.
pub async fn national_city_in(
    tx: &mut ReportTx,
    period: Period,
    by: ReportGrouping,
    slug: &str,
) -> Result<NationalReport> {
    // The comparison exactly as `national_in` builds it (one statement).
    let (cities, all) =
        rollups::national_with_totals(tx, &query(&period, Some(Grouping::City))).await?;
    let raw: Vec<Figures> = cities.iter().map(|r| r.figures).collect();
    let (compared, _) = suppress_rows(&raw, &all);
    let found = cities
        .iter()
        .zip(&compared)
        .find_map(|(r, s)| r.city.as_ref().filter(|c| c.slug == slug).map(|c| (c, s)));
    let Some((label, city_shown)) = found else {
        let none = Shown::open(&Figures::default());
        return Ok(national_of(period, by, Vec::new(), &[], &none, None));
    };
    let rows = rollups::national_of_city(tx, &query(&period, Some(by.into())), label.id).await?;
    let totals = rollups::national_of_city(tx, &query(&period, None), label.id).await?;
    let raw: Vec<Figures> = rows.iter().map(|r| r.figures).collect();
    let (mut shown, mut total) = suppress_rows(&raw, &totals_of(&totals));
    for s in shown.iter_mut().chain([&mut total]) {
        s.withhold_as(city_shown);
    }
    Ok(national_of(period, by, rows, &shown, &total, Some(label)))
}

/// The fewest cities a median is shown over.
pub const MEDIAN_MIN_CITIES: usize = 3;

/// The national median of a period, as a city's report shows it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct Median {
    /// `None` while fewer than [`MEDIAN_MIN_CITIES`] cities report.
    pub figures: Option<ReportFigures>,
    /// How many cities have figures in the period.
    pub compared: i32,
}

/// The median over every city with figures in the period, read as the
/// national role (kept in the process by the national version; see
/// [`Db::national_median`]).
pub async fn median(db: &Db, period: Period) -> Result<Median> {
    let q = query(&period, None);
    let (compared, figures) = db.national_median(q.from, q.to).await?;
    let compared = usize::try_from(compared).unwrap_or(0);
    Ok(Median {
        figures: (compared >= MEDIAN_MIN_CITIES).then(|| (&Shown::guarded(&figures)).into()),
        compared: i32::try_from(compared).unwrap_or(i32::MAX),
    })
}

/// A city's own figures, all shown (its admins see its people anyway),
/// without the median (see [`with_median`]), in an open tenant transaction.
pub async fn city_own_in(
    tx: &mut TenantTx,
    scope: &CityScope,
    period: Period,
    by: CityReportGrouping,
) -> Result<CityReport> {
    let rows = rollups::city(tx, &query(&period, Some(by.into()))).await?;
    let totals = rollups::city(tx, &query(&period, None)).await?;
    let label = cities::by_id(tx, scope.city()).await?;
    Ok(CityReport {
        from: period.from.to_string(),
        to: period.to.to_string(),
        city: ReportCity {
            slug: label.slug,
            name_kk: label.name_kk,
            name_ru: label.name_ru,
            name_en: label.name_en,
        },
        totals: (&Shown::open(&totals_of(&totals))).into(),
        rows: rows
            .into_iter()
            .map(|r| {
                let figures = (&Shown::open(&r.figures)).into();
                row(r, figures, false)
            })
            .collect(),
        national_median: None,
        cities_compared: 0,
    })
}

/// A city's report with the median to compare against.
pub fn with_median(mut report: CityReport, median: Median) -> CityReport {
    report.national_median = median.figures;
    report.cities_compared = median.compared;
    report
}

/// A city's own figures, in their own tenant transaction.
pub async fn city_own(
    db: &Db,
    scope: &CityScope,
    period: Period,
    by: CityReportGrouping,
) -> Result<CityReport> {
    let mut tx = db.tenant(scope).await?;
    let own = city_own_in(&mut tx, scope, period, by).await?;
    tx.commit().await?;
    Ok(own)
}

/// A city's own figures and the national median of the same period, read
/// side by side (two connections; neither waits for the other).
pub async fn city(
    db: &Db,
    scope: &CityScope,
    period: Period,
    by: CityReportGrouping,
) -> Result<CityReport> {
    let (own, median) = tokio::try_join!(city_own(db, scope, period, by), median(db, period))?;
    Ok(with_median(own, median))
}

/// A row's key: city, month, season. Borrowed, not cloned: a sort of 4,000
/// rows compares about 50,000 pairs.
type RowKey<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<(Option<crate::shared::date::Date>, Option<&'a str>)>,
);

fn row_key(r: &ReportRow) -> RowKey<'_> {
    (
        r.city.as_ref().map(|c| c.slug.as_str()),
        r.month.as_deref(),
        r.season.as_ref().map(|s| (s.starts_on, s.title.as_deref())),
    )
}

fn key_order(a: &ReportRow, b: &ReportRow) -> Ordering {
    row_key(a).cmp(&row_key(b))
}

/// Orders rows by their key or a figure; withheld figures go last, ties by key.
pub fn sort_rows(rows: &mut [ReportRow], sort: Option<ReportSort>) {
    let sort = sort.unwrap_or(ReportSort {
        field: ReportSortField::Key,
        descending: false,
    });
    rows.sort_by(|a, b| {
        let by_value = match (a.figures.value(sort.field), b.figures.value(sort.field)) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                if sort.descending { o.reverse() } else { o }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let by_key = if sort.field == ReportSortField::Key && sort.descending {
            key_order(b, a)
        } else {
            key_order(a, b)
        };
        by_value.then(by_key)
    });
}
