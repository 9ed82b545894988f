//! [`Whole`] answers exactly what async-graphql's own resolution of the same
//! types answers: every field, aliases, fragments, merged selections,
//! `__typename`, `@skip`/`@include`, through the gate as the gateway runs them.

use super::*;
use crate::plumbing::gate::Gated;
use crate::plumbing::limits::Limits;
use crate::reports::Spliced;
use async_graphql::{EmptyMutation, EmptySubscription, Executor, Object, Request, Schema};
use serde_json::Value as Json;
use soi_core::report::{Field as F, Figures, suppress_rows};

fn figures(values: &[(F, i64)]) -> Figures {
    let mut x = Figures::default();
    for (f, v) in values {
        x.0[f.index()] = *v;
    }
    x
}

/// Rows of every shape: a city, a month, a season with and without a
/// title and day; figures shown, withheld, with and without rates.
fn national() -> NationalReport {
    let raw = [
        figures(&[(F::Applicants, 40), (F::Active, 30), (F::Withdrawn, 3)]),
        figures(&[(F::Applicants, 12), (F::Active, 12), (F::TicketRevenue, 7)]),
        figures(&[(F::AttendanceMarks, 80), (F::AttendancePresent, 71)]),
    ];
    let mut totals = Figures::default();
    for r in &raw {
        for f in F::ALL {
            totals.0[f.index()] += r.get(f);
        }
    }
    let (shown, total) = suppress_rows(&raw, &totals);
    let city = |slug: &str| ReportCity {
        slug: slug.to_owned(),
        name_kk: format!("{slug} kk"),
        name_ru: format!("{slug} ru"),
        name_en: format!("{slug} en"),
    };
    let keys = [
        (Some(city("almaty")), None, None),
        (None, Some("2026-09".to_owned()), None),
        (
            Some(city("astana")),
            None,
            Some(ReportSeason {
                id: "0b5e2c3a-0000-4000-8000-000000000001".into(),
                title: Some("Autumn".to_owned()),
                starts_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1)
                    .map(crate::shared::date::Date),
            }),
        ),
    ];
    let mut rows: Vec<ReportRow> = keys
        .into_iter()
        .zip(&shown)
        .map(|((city, month, season), s)| ReportRow {
            city,
            month,
            season,
            figures: s.into(),
        })
        .collect();
    rows.push(ReportRow {
        city: None,
        month: None,
        season: Some(ReportSeason {
            id: "0b5e2c3a-0000-4000-8000-000000000002".into(),
            title: None,
            starts_on: None,
        }),
        figures: (&total).into(),
    });
    NationalReport {
        from: "2026-08".to_owned(),
        to: "2027-07".to_owned(),
        group_by: ReportGrouping::Season,
        totals: (&total).into(),
        rows,
    }
}

fn city(median: bool) -> CityReport {
    let n = national();
    CityReport {
        from: n.from,
        to: n.to,
        city: ReportCity {
            slug: "almaty".to_owned(),
            name_kk: "Алматы".to_owned(),
            name_ru: "Алматы".to_owned(),
            name_en: "Almaty".to_owned(),
        },
        national_median: median.then(|| n.rows[1].figures.clone()),
        totals: n.totals,
        rows: n.rows,
        cities_compared: 4,
    }
}

struct Q;

#[Object]
impl Q {
    async fn derived(&self) -> NationalReport {
        national()
    }
    async fn whole(&self) -> Whole<NationalReport> {
        Whole(national())
    }
    async fn derived_city(&self, median: bool) -> CityReport {
        city(median)
    }
    async fn whole_city(&self, median: bool) -> Whole<CityReport> {
        Whole(city(median))
    }
}

type TestSchema = Gated<Schema<Q, EmptyMutation, EmptySubscription>>;

fn schema() -> TestSchema {
    Gated::new(
        Schema::new(Q, EmptyMutation, EmptySubscription),
        Limits::default(),
    )
}

async fn run(schema: &TestSchema, query: &str) -> Json {
    let response = schema.execute(Request::new(query)).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    serde_json::to_value(&response.data).expect("json")
}

/// The response to `query` encoded from its tree of values, and as the
/// HTTP route encodes it (reports written as JSON and spliced in).
/// Also how many of the answer's root values were spliced in (answered as
/// a placeholder).
async fn encoded(schema: &TestSchema, query: &str) -> (String, String, usize) {
    let tree = schema.execute(Request::new(query)).await;
    let spliced = Spliced::new();
    let run = schema
        .execute(Request::new(query).data(spliced.clone()))
        .await;
    assert!(run.errors.is_empty(), "{query}: {:?}", run.errors);
    let placeholders = match &run.data {
        async_graphql::Value::Object(fields) => fields
            .values()
            .filter(
                |v| matches!(v, async_graphql::Value::String(s) if s.starts_with("soi-spliced:")),
            )
            .count(),
        _ => 0,
    };
    let tree = serde_json::to_string(&tree).expect("json");
    let body = spliced.encode(&run).expect("json");
    (tree, String::from_utf8(body).expect("utf-8"), placeholders)
}

/// Runs `selection` (with `fragments`) under both roots of each pair and
/// compares the answers, which must also not be empty.
async fn same(selection: &str, fragments: &str) {
    let pairs = [
        ("derived", "whole"),
        ("derivedCity(median: true)", "wholeCity(median: true)"),
        ("derivedCity(median: false)", "wholeCity(median: false)"),
    ];
    let schema = &schema();
    for (derived, whole) in pairs {
        if derived.starts_with("derivedCity") == selection.contains("groupBy") {
            continue;
        }
        let q = format!(
            "{{ a: {derived} {{ {selection} }} b: {whole} {{ {selection} }} }} {fragments}"
        );
        let data = run(schema, &q).await;
        assert_eq!(data["a"], data["b"], "{q}");
        assert!(data["a"].is_object(), "{q}: {data}");
        // Keys in the same order too.
        assert_eq!(data["a"].to_string(), data["b"].to_string(), "{q}");
        // As the HTTP route answers: the same bytes as the tree's.
        let (tree, spliced, n) = encoded(schema, &q).await;
        assert_eq!(spliced, tree, "{q}");
        assert_eq!(n, 1, "{q}: the report was not spliced");
        let whole = format!("{{ b: {whole} {{ {selection} }} }} {fragments}");
        let (tree, spliced, n) = encoded(schema, &whole).await;
        assert_eq!(spliced, tree, "{whole}");
        assert_eq!(n, 1, "{whole}: the report was not spliced");
        assert!(!tree.contains("soi-spliced"), "{whole}: {tree}");
    }
}

/// The selection of every field of `ty` and of the objects below it, read
/// from the schema itself (so a field added later is covered too).
async fn everything(schema: &TestSchema, ty: &str) -> String {
    let q = format!(
        "{{ __type(name: \"{ty}\") {{ fields {{ name type {{ name kind ofType {{ name kind \
         ofType {{ name kind ofType {{ name kind }} }} }} }} }} }} }}"
    );
    let data = run(schema, &q).await;
    let mut out = Vec::new();
    for field in data["__type"]["fields"].as_array().expect("fields") {
        let name = field["name"].as_str().expect("name");
        let mut t = &field["type"];
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        if t["kind"] == "OBJECT" {
            let inner = Box::pin(everything(schema, t["name"].as_str().expect("type"))).await;
            out.push(format!("{name} {{ {inner} }}"));
        } else {
            out.push(name.to_owned());
        }
    }
    out.join(" ")
}

#[tokio::test]
async fn every_field_of_a_report_answers_as_derived() {
    let schema = &schema();
    let national = everything(schema, "NationalReport").await;
    assert!(national.contains("figures { applicants"), "{national}");
    assert!(
        national.contains("season { id title startsOn }"),
        "{national}"
    );
    same(&national, "").await;
    let city = everything(schema, "CityReport").await;
    assert!(city.contains("nationalMedian {"), "{city}");
    same(&city, "").await;
}

#[tokio::test]
async fn aliases_fragments_and_merged_selections_answer_as_derived() {
    let fragments = [
        (
            "...R",
            "fragment R on ReportRow { city { nameEn } figures { a: applicants suppressed } }",
        ),
        (
            "...T",
            "fragment T on ReportFigures { __typename retention x: retention }",
        ),
    ];
    for selection in [
        "groupBy __typename rows { __typename city { slug __typename } ...R month m: month }",
        "groupBy rows { city { slug } ... on ReportRow { city { nameRu } season { id } } ...R }",
        "groupBy totals { ...T applicants } t: totals { attendanceRate ticketRevenue } totals { active }",
        "groupBy rows { figures { applicants @skip(if: true) active @include(if: true) } }",
        "groupBy rows { season { __typename startsOn } s: season { title } season { title } }",
        "from to __typename totals { ...T } nationalMedian { ...T applicants } citiesCompared",
        "city { nameKk } rows { month figures { ...T } } ... on CityReport { city { slug } }",
    ] {
        // Only the fragments it uses (an unused one is invalid).
        let used: Vec<&str> = fragments
            .iter()
            .filter(|(spread, _)| selection.contains(spread))
            .map(|(_, f)| *f)
            .collect();
        same(selection, &used.join(" ")).await;
    }
}

#[tokio::test]
async fn a_selection_left_empty_by_skip_answers_null_as_derived() {
    same(
        "groupBy totals { applicants @skip(if: true) } rows { figures { active @include(if: false) } }",
        "",
    )
    .await;
}

#[tokio::test]
async fn a_report_selected_twice_at_the_root_answers_both_selections() {
    for q in [
        "{ whole { from } ...F } fragment F on Q { whole { groupBy rows { month } } }",
        "{ whole { from } ... on Q { whole { totals { applicants } } } }",
    ] {
        let (tree, spliced, n) = encoded(&schema(), q).await;
        assert_eq!(spliced, tree, "{q}");
        assert_eq!(n, 0, "{q}: a key answered twice must keep its tree");
        assert!(tree.contains("\"from\""), "{q}: {tree}");
    }
}
