//! National and city reports through the API: who may read what, the
//! figures against the base tables, suppression, sorting, the median, the
//! CSV download, and that no field reachable by the national role names a
//! person.

use serde_json::{Value, json};
use soi_tests::{TestApp, codes};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

const FROM: &str = "2021-01";
const TO: &str = "2030-12";

const NATIONAL: &str = "query($f: YearMonth!, $t: YearMonth!, $g: ReportGrouping!, $s: ReportSort) {
  nationalReport(from: $f, to: $t, groupBy: $g, sort: $s) {
    from to groupBy
    totals { applicants accepted active withdrawn retention attendanceRate ticketsSold ticketRevenue sponsorMoney suppressed }
    rows { city { slug nameEn } month season { title startsOn }
           figures { applicants accepted active withdrawn retention ticketsSold ticketRevenue sponsorMoney suppressed } } } }";

const CITY: &str = "query($f: YearMonth!, $t: YearMonth!, $g: CityReportGrouping!) {
  cityReport(from: $f, to: $t, groupBy: $g) {
    city { slug } citiesCompared
    totals { applicants ticketsSold ticketRevenue sponsorMoney suppressed }
    nationalMedian { applicants ticketsSold suppressed }
    rows { month season { title } figures { applicants } } } }";

fn vars(g: &str) -> Value {
    json!({ "f": FROM, "t": TO, "g": g })
}

/// Applications per city slug, straight from the base tables.
async fn applications_by_city(t: &soi_tests::TestDb) -> BTreeMap<String, i64> {
    let mut conn = t.raw().await;
    sqlx::query(
        "select c.slug, count(e.*) from cities c join enrollments e on e.city_id = c.id group by c.slug",
    )
    .fetch_all(&mut conn)
    .await
    .expect("count")
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
    .collect()
}

#[tokio::test]
async fn the_national_role_reads_every_city_and_the_base_tables_agree() {
    let (t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let (status, body) = app
        .graphql_as(Some(&national), NATIONAL, vars("CITY"))
        .await;
    assert_eq!(status, 200);
    assert!(body["errors"].is_null(), "{body}");
    let report = &body["data"]["nationalReport"];
    let expected = applications_by_city(&t).await;
    let rows = report["rows"].as_array().expect("rows");
    let seen: BTreeSet<_> = rows
        .iter()
        .map(|r| r["city"]["slug"].as_str().expect("slug").to_owned())
        .collect();
    assert_eq!(seen, expected.keys().cloned().collect(), "{report}");
    for r in rows {
        let slug = r["city"]["slug"].as_str().expect("slug");
        match r["figures"]["applicants"].as_i64() {
            Some(n) => assert_eq!(n, expected[slug], "{slug}"),
            None => assert!(
                r["figures"]["suppressed"]
                    .to_string()
                    .contains("applicants")
            ),
        }
    }
    assert_eq!(
        report["totals"]["applicants"].as_i64(),
        Some(expected.values().sum::<i64>())
    );
    // Money is never suppressed and the demo sells tickets in every city.
    assert!(
        report["totals"]["ticketRevenue"].as_i64().unwrap_or(0) > 0,
        "{report}"
    );
}

#[tokio::test]
async fn rows_sort_by_a_figure_and_group_by_month_or_season() {
    let (_t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let mut v = vars("CITY");
    v["s"] = json!({ "field": "APPLICANTS", "descending": true });
    let (_, body) = app.graphql_as(Some(&national), NATIONAL, v).await;
    let values: Vec<i64> = body["data"]["nationalReport"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["figures"]["applicants"].as_i64())
        .collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    for g in ["MONTH", "SEASON"] {
        let (_, body) = app.graphql_as(Some(&national), NATIONAL, vars(g)).await;
        assert!(body["errors"].is_null(), "{body}");
        let rows = body["data"]["nationalReport"]["rows"]
            .as_array()
            .expect("rows");
        assert!(!rows.is_empty(), "{g}: {body}");
        for r in rows {
            match g {
                "MONTH" => assert!(r["month"].is_string() && r["city"].is_null()),
                _ => assert!(r["season"].is_object() && r["city"].is_object()),
            }
        }
    }
}

#[tokio::test]
async fn small_groups_are_suppressed_for_the_nation_but_not_for_the_city() {
    let (t, app) = TestApp::seeded().await;
    // A city with three applicants only: a group too small to show.
    let sys = t.system().await;
    soi_tests::launch(&sys, "taraz").await;
    let mut conn = t.raw().await;
    sqlx::query("select set_config('soi.city_id', (select id::text from cities where slug = 'taraz'), false)")
        .execute(&mut conn)
        .await
        .expect("scope");
    sqlx::query(
        "with c as (select id from cities where slug = 'taraz'),
              s as (insert into seasons (city_id, id, title, social_theme, starts_on, ends_on, capacity)
                    select id, gen_random_uuid(), 'First', 'Clean air', '2026-10-01', '2027-03-31', 20 from c returning city_id, id),
              p as (insert into participants (city_id, id, first_name, last_name, email, consent_given_at, consent_text_version, consent_method)
                    select c.id, gen_random_uuid(), 'A', 'B', 'p' || n || '@taraz.kz', now(), 'v1', 'web_form'
                    from c, generate_series(1, 3) n returning city_id, id)
         insert into enrollments (city_id, id, season_id, participant_id, applied_at,
                                  consent_given_at, consent_text_version, consent_method)
         select p.city_id, gen_random_uuid(), s.id, p.id, '2026-09-15', now(), 'v1', 'web_form' from p, s",
    )
    .execute(&mut conn)
    .await
    .expect("taraz data");
    let national = app.login("national@soi.test").await;
    let (_, body) = app
        .graphql_as(Some(&national), NATIONAL, vars("CITY"))
        .await;
    let rows = body["data"]["nationalReport"]["rows"]
        .as_array()
        .expect("rows");
    let taraz = rows
        .iter()
        .find(|r| r["city"]["slug"] == "taraz")
        .unwrap_or_else(|| panic!("{body}"));
    assert!(taraz["figures"]["applicants"].is_null(), "{taraz}");
    let hidden = taraz["figures"]["suppressed"].to_string();
    assert!(hidden.contains("applicants"), "{taraz}");
    // Exactly one small cell would be recoverable from the total: a second
    // cell of the column is withheld too.
    let withheld = rows
        .iter()
        .filter(|r| r["figures"]["applicants"].is_null())
        .count();
    assert!(
        withheld >= 2 || body["data"]["nationalReport"]["totals"]["applicants"].is_null(),
        "{body}"
    );
}

const RATES: &str = "query($f: YearMonth!, $t: YearMonth!, $g: ReportGrouping!) {
  nationalReport(from: $f, to: $t, groupBy: $g) {
    totals { active completed withdrawn retention attendanceMarks attendancePresent attendanceRate suppressed }
    rows { city { slug } figures { active completed withdrawn retention attendanceMarks attendancePresent attendanceRate suppressed } } } }";

/// Whether a shown rate stands beside a withheld count it is computed from.
fn rate_over_withheld(f: &Value) -> bool {
    let withheld = |of: &[&str]| of.iter().any(|k| f[*k].is_null());
    (f["retention"].is_number() && withheld(&["active", "completed", "withdrawn"]))
        || (f["attendanceRate"].is_number() && withheld(&["attendanceMarks", "attendancePresent"]))
}

#[tokio::test]
async fn a_city_retention_is_withheld_where_with_the_shown_outcomes_it_gives_back_a_withheld_withdrawn_count()
 {
    let (t, app) = TestApp::seeded().await;
    // Twenty training, three withdrawn and six still waiting for a decision:
    // 20 / 0.8696 − 20 would be the 3.
    let sys = t.system().await;
    soi_tests::launch(&sys, "taraz").await;
    let mut conn = t.raw().await;
    sqlx::query("select set_config('soi.city_id', (select id::text from cities where slug = 'taraz'), false)")
        .execute(&mut conn)
        .await
        .expect("scope");
    sqlx::query(
        "with c as (select id from cities where slug = 'taraz'),
              s as (insert into seasons (city_id, id, title, social_theme, starts_on, ends_on, capacity)
                    select id, gen_random_uuid(), 'First', 'Clean air', '2026-10-01', '2027-03-31', 40 from c returning city_id, id),
              p as (insert into participants (city_id, id, first_name, last_name, email, consent_given_at, consent_text_version, consent_method)
                    select c.id, gen_random_uuid(), 'A', 'B', 'p' || n || '@taraz.kz', now(), 'v1', 'web_form'
                    from c, generate_series(1, 29) n returning city_id, id, email)
         insert into enrollments (city_id, id, season_id, participant_id, applied_at,
                                  consent_given_at, consent_text_version, consent_method, status)
         select p.city_id, gen_random_uuid(), s.id, p.id, '2026-09-15', now(), 'v1', 'web_form',
                case when p.email in ('p21@taraz.kz', 'p22@taraz.kz', 'p23@taraz.kz') then 'withdrawn'
                     when p.email in ('p24@taraz.kz', 'p25@taraz.kz', 'p26@taraz.kz', 'p27@taraz.kz',
                                      'p28@taraz.kz', 'p29@taraz.kz') then 'applied'
                     else 'active' end
         from p, s",
    )
    .execute(&mut conn)
    .await
    .expect("taraz data");
    let national = app.login("national@soi.test").await;
    for g in ["CITY", "SEASON", "MONTH"] {
        let (_, body) = app.graphql_as(Some(&national), RATES, vars(g)).await;
        assert!(body["errors"].is_null(), "{body}");
        let report = &body["data"]["nationalReport"];
        let rows = report["rows"].as_array().expect("rows");
        for f in rows
            .iter()
            .map(|r| &r["figures"])
            .chain([&report["totals"]])
        {
            assert!(!rate_over_withheld(f), "{g}: {f}");
        }
        if g == "CITY" {
            let taraz = rows
                .iter()
                .find(|r| r["city"]["slug"] == "taraz")
                .unwrap_or_else(|| panic!("{body}"));
            assert_eq!(taraz["figures"]["active"], 20, "{taraz}");
            assert!(taraz["figures"]["withdrawn"].is_null(), "{taraz}");
            assert!(taraz["figures"]["retention"].is_null(), "{taraz}");
            let hidden = taraz["figures"]["suppressed"].to_string();
            assert!(hidden.contains("retention"), "{taraz}");
        }
    }
}

#[tokio::test]
async fn a_chapter_admin_reads_their_city_with_the_national_median() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@astana.soi.test").await;
    let (_, body) = app.graphql_as(Some(&admin), CITY, vars("MONTH")).await;
    assert!(body["errors"].is_null(), "{body}");
    let report = &body["data"]["cityReport"];
    assert_eq!(report["city"]["slug"], "astana");
    let expected = applications_by_city(&t).await;
    assert_eq!(
        report["totals"]["applicants"].as_i64(),
        Some(expected["astana"])
    );
    let compared = report["citiesCompared"].as_i64().expect("compared");
    assert_eq!(compared, expected.len() as i64);
    let mut all: Vec<i64> = expected.values().copied().collect();
    all.sort_unstable();
    let median = if all.len() % 2 == 1 {
        all[all.len() / 2]
    } else {
        (all[all.len() / 2 - 1] + all[all.len() / 2]) / 2
    };
    assert_eq!(
        report["nationalMedian"]["applicants"].as_i64(),
        Some(median),
        "{report}"
    );
    let months: i64 = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["figures"]["applicants"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(months, expected["astana"]);
}

#[tokio::test]
async fn roles_and_bad_months_are_refused_with_codes() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let coach = app.login("coach@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    let (_, body) = app.graphql_as(Some(&admin), NATIONAL, vars("CITY")).await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let (_, body) = app.graphql_as(Some(&national), CITY, vars("MONTH")).await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let (_, body) = app.graphql_as(Some(&coach), CITY, vars("MONTH")).await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let (_, body) = app.graphql(NATIONAL, vars("CITY")).await;
    assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
    for (f, t) in [
        ("2026-13", "2027-01"),
        ("2027-01", "2026-01"),
        ("2026/01", "2026-02"),
        ("2000-01", "2030-12"),
    ] {
        let (status, body) = app
            .graphql_as(
                Some(&national),
                NATIONAL,
                json!({ "f": f, "t": t, "g": "CITY" }),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{f}..{t}: {body}");
    }
}

/// (status, content type, body as text) of a download.
async fn download(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, String) {
    let got = app.download(path, token).await;
    (got.status, got.kind.clone(), got.text())
}

#[tokio::test]
async fn reports_download_as_csv_for_the_signed_in_user() {
    let (t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let admin = app.login("admin@shymkent.soi.test").await;
    let q = format!("?from={FROM}&to={TO}&groupBy=city&sort=applicants&descending=true");
    let (status, kind, body) =
        download(&app, &format!("/reports/national.csv{q}"), Some(&national)).await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = body.lines().collect();
    assert!(
        lines[0].starts_with("row,city,month,season,applicants,"),
        "{}",
        lines[0]
    );
    let expected = applications_by_city(&t).await;
    assert_eq!(lines.len(), 1 + expected.len() + 1, "{body}");
    let total = lines.last().expect("total");
    assert!(
        total.starts_with(&format!("total,,,,{}", expected.values().sum::<i64>())),
        "{total}"
    );
    let (status, _, body) = download(
        &app,
        &format!("/reports/city.csv?from={FROM}&to={TO}"),
        Some(&admin),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.lines().any(|l| l.starts_with("national_median,")),
        "{body}"
    );
    // Who may not, and bad input: typed JSON errors, never a 500.
    for (path, token, want) in [
        (format!("/reports/national.csv{q}"), None, 401),
        (
            format!("/reports/national.csv{q}"),
            Some(admin.as_str()),
            403,
        ),
        (
            format!("/reports/city.csv?from={FROM}&to={TO}"),
            Some(national.as_str()),
            403,
        ),
        (
            "/reports/national.csv?from=2026-13&to=2027-01".to_owned(),
            Some(national.as_str()),
            400,
        ),
        (
            format!("/reports/national.csv?from={FROM}&to={TO}&groupBy=planet"),
            Some(national.as_str()),
            400,
        ),
        (
            format!("/reports/national.csv?from={FROM}&to={TO}&sort=email"),
            Some(national.as_str()),
            400,
        ),
    ] {
        let (status, _, body) = download(&app, &path, token).await;
        assert_eq!(status, want, "{path}: {body}");
        let v: Value = serde_json::from_str(&body).expect("json error");
        assert!(v["errors"][0]["extensions"]["code"].is_string(), "{body}");
    }
}

/// Object types reachable from a type in the SDL, with their fields.
fn reachable(sdl: &str, root: &str) -> BTreeMap<String, Vec<String>> {
    let mut types: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in sdl.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("type ") {
            current = rest.split_whitespace().next().map(str::to_owned);
            types
                .entry(current.clone().unwrap_or_default())
                .or_default();
        } else if l == "}" {
            current = None;
        } else if let Some(name) = &current
            && let Some((field, ty)) = l.split_once(':')
            && !field.contains('"')
            && field.split('(').next().is_some_and(|f| {
                f.trim()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        {
            let field = field.split('(').next().unwrap_or(field).trim().to_owned();
            let ty: String = ty.chars().filter(|c| c.is_alphanumeric()).collect();
            types.entry(name.clone()).or_default().push((field, ty));
        }
    }
    let mut seen = BTreeMap::new();
    let mut todo = vec![root.to_owned()];
    while let Some(t) = todo.pop() {
        let Some(fields) = types.get(&t) else {
            continue;
        };
        if seen.contains_key(&t) {
            continue;
        }
        seen.insert(t.clone(), fields.iter().map(|(f, _)| f.clone()).collect());
        todo.extend(fields.iter().map(|(_, ty)| ty.clone()));
    }
    seen
}

#[test]
fn no_field_the_national_role_reaches_names_a_person() {
    let sdl = soi_graphql::sdl();
    let personal = [
        "email",
        "phone",
        "firstName",
        "lastName",
        "birthDate",
        "university",
        "buyerName",
        "buyerEmail",
        "participantId",
        "participant",
        "coach",
        "coaches",
        "participants",
    ];
    for root in ["NationalReport", "ReportFigures"] {
        let types = reachable(&sdl, root);
        assert!(types.contains_key("ReportFigures"), "{root}: {types:?}");
        for (ty, fields) in &types {
            for f in fields {
                assert!(
                    !personal.contains(&f.as_str()),
                    "{ty}.{f} is reachable from {root}"
                );
            }
        }
    }
}

#[tokio::test]
async fn reports_download_as_xlsx_with_the_csv_lines() {
    let (_t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let admin = app.login("admin@almaty.soi.test").await;
    for (path, token, name) in [
        (
            format!("/reports/national.xlsx?from={FROM}&to={TO}&groupBy=city"),
            &national,
            "national-report.xlsx",
        ),
        (
            format!("/reports/city.xlsx?from={FROM}&to={TO}"),
            &admin,
            "almaty-report.xlsx",
        ),
    ] {
        let xlsx = app.download(&path, Some(token)).await;
        assert_eq!(xlsx.status, 200, "{path}: {}", xlsx.text());
        assert_eq!(
            xlsx.kind,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(xlsx.disposition, format!("attachment; filename=\"{name}\""));
        let csv = app
            .download(&path.replace(".xlsx", ".csv"), Some(token))
            .await
            .text();
        let rows = xlsx.xlsx_rows();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), lines.len(), "xlsx and csv hold the same lines");
        for (row, line) in rows.iter().zip(&lines) {
            let cells: Vec<&str> = line.split(',').collect();
            // The kind, the city and the applicants read alike in both.
            assert_eq!(row[0].to_string(), cells[0], "{line}");
            assert_eq!(row[1].to_string(), cells[1], "{line}");
            assert_eq!(row[4].to_string(), cells[4], "{line}");
        }
    }
    let refused = app
        .download(
            &format!("/reports/national.xlsx?from={FROM}&to={TO}"),
            Some(&admin),
        )
        .await;
    assert_eq!(refused.status, 403);
    let refused = app
        .download(&format!("/reports/city.xlsx?from={FROM}&to={TO}"), None)
        .await;
    assert_eq!(refused.status, 401);
}

#[tokio::test]
async fn a_citys_drill_down_withholds_what_the_comparison_withholds() {
    const DRILL: &str = "query($f: YearMonth!, $t: YearMonth!, $g: ReportGrouping!, $c: String) {
      nationalReport(from: $f, to: $t, groupBy: $g, city: $c) {
        totals { applicants waitlisted active retention suppressed }
        rows { city { slug } month season { title } figures { applicants waitlisted active retention suppressed } } } }";
    let (_t, app) = TestApp::seeded().await;
    let national = app.login("national@soi.test").await;
    let ask = |g: &str, c: Option<&str>| {
        app.ask(
            &national,
            DRILL,
            json!({ "f": FROM, "t": TO, "g": g, "c": c }),
        )
    };
    let cities = ask("CITY", None).await;
    for slug in ["almaty", "astana", "shymkent"] {
        let compared = cities["data"]["nationalReport"]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["city"]["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} compared: {cities}"))["figures"]
            .clone();
        for g in ["MONTH", "SEASON"] {
            let body = ask(g, Some(slug)).await;
            let report = &body["data"]["nationalReport"];
            let rows = report["rows"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"));
            assert!(!rows.is_empty(), "{slug} {g}: {body}");
            assert!(rows.iter().all(|r| r["city"]["slug"] == slug), "{body}");
            for field in ["applicants", "waitlisted", "active"] {
                // An exact name: "active" must not match "activeCoaches".
                let withheld = compared["suppressed"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|f| f == field));
                if withheld {
                    assert!(
                        report["totals"][field].is_null(),
                        "{slug} {g} {field}: {body}"
                    );
                    assert!(
                        rows.iter().all(|r| r["figures"][field].is_null()),
                        "{slug} {g} {field}: {body}"
                    );
                } else {
                    assert_eq!(
                        report["totals"][field], compared[field],
                        "{slug} {g} {field}"
                    );
                }
                for r in rows {
                    if let Some(n) = r["figures"][field].as_i64() {
                        assert!(n == 0 || n >= 5, "{slug} {g} {field} shows {n}");
                    }
                }
            }
        }
    }
    let body = ask("MONTH", Some("nowhere")).await;
    assert_eq!(body["data"]["nationalReport"]["rows"], json!([]), "{body}");
    let body = ask("MONTH", Some("Not a slug")).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let admin = app.login("admin@almaty.soi.test").await;
    let body = app
        .ask(
            &admin,
            DRILL,
            json!({ "f": FROM, "t": TO, "g": "MONTH", "c": "astana" }),
        )
        .await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    let csv = app
        .download(
            &format!("/reports/national.csv?from={FROM}&to={TO}&groupBy=month&city=almaty"),
            Some(&national),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"national-report-almaty.csv\""
    );
    let text = csv.text();
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.starts_with("row,almaty,") || l.starts_with("total,")),
        "{text}"
    );
}
