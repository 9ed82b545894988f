//! `GET /exports/{kind}.{csv|xlsx}` for chapter admins: the city is the
//! token's; other roles, no token and bad parameters are refused with a
//! typed JSON error; another city's rows never appear.

use calamine::Data;
use serde_json::Value;
use soi_db::Page;
use soi_db::program::{participants, seasons};
use soi_tests::{TestApp, tenant};

#[tokio::test]
async fn a_chapter_admin_downloads_their_citys_exports_as_csv_and_xlsx() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let db = t.db().await;
    let (almaty, astana) = (t.city("almaty").await, t.city("astana").await);
    let emails = async |city| {
        let mut tx = tenant(&db, city).await;
        let list = participants::list(&mut tx, Page::first(1000))
            .await
            .expect("list");
        list.into_iter().map(|p| p.email).collect::<Vec<_>>()
    };
    let ours = emails(almaty.id).await;
    let mut theirs = emails(astana.id).await;
    // Someone in both cities is in both exports rightly.
    theirs.retain(|e| !ours.contains(e));
    assert!(!theirs.is_empty());

    let csv = app
        .download("/exports/participants.csv", Some(&admin))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.kind, "text/csv; charset=utf-8");
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"almaty-participants.csv\""
    );
    let text = String::from_utf8(csv.body).expect("utf-8");
    assert!(
        text.starts_with("\u{feff}id,first name,last name,email,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + ours.len());
    for e in &ours {
        assert!(text.contains(e.as_str()), "{e} missing");
    }
    for e in &theirs {
        assert!(!text.contains(e.as_str()), "{e} of Astana leaked");
    }

    let att_csv = app
        .download("/exports/attendance.csv?language=ru", Some(&admin))
        .await;
    assert_eq!(att_csv.status, 200);
    let att_text = String::from_utf8(att_csv.body).expect("utf-8");
    assert!(
        att_text.starts_with("\u{feff}Начало занятия,"),
        "{att_text}"
    );
    let xlsx = app.download("/exports/attendance.xlsx", Some(&admin)).await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        xlsx.disposition,
        "attachment; filename=\"almaty-attendance.xlsx\""
    );
    let rows = xlsx.xlsx_rows();
    assert_eq!(rows[0][0], Data::String("session start".into()));
    assert!(rows.len() > 100, "the demo has attendance: {}", rows.len());
    assert_eq!(
        rows.len(),
        att_text.lines().count(),
        "xlsx and csv hold the same rows"
    );
    assert!(matches!(rows[1][0], Data::DateTime(_)), "{:?}", rows[1][0]);
    for e in &theirs {
        assert!(!att_text.contains(e.as_str()), "{e} of Astana leaked");
    }

    // A season of another city is not found, not exported.
    let mut tx = tenant(&db, astana.id).await;
    let their_season = seasons::list(&mut tx, Page::first(1))
        .await
        .expect("seasons")[0]
        .id;
    let r = app
        .download(
            &format!("/exports/attendance.csv?season={their_season}"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 404);
    let ledger = app
        .download(
            "/exports/ledger.csv?from=2020-01-01&to=2030-12-31",
            Some(&admin),
        )
        .await;
    assert_eq!(ledger.status, 200);
    let audit = app.download("/exports/audit.xlsx", Some(&admin)).await;
    assert_eq!(audit.status, 200);
    let apps = app
        .download("/exports/applications.csv", Some(&admin))
        .await;
    assert_eq!(apps.status, 200);
}

#[tokio::test]
async fn exports_are_refused_without_a_token_to_coaches_and_for_bad_parameters() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let coach = app.login("coach@almaty.soi.test").await;
    let national = app.login("national@soi.test").await;
    for (path, token, want, code) in [
        ("/exports/participants.csv", None, 401, "UNAUTHENTICATED"),
        (
            "/exports/participants.csv",
            Some("not-a-token"),
            401,
            "UNAUTHENTICATED",
        ),
        (
            "/exports/participants.csv",
            Some(coach.as_str()),
            403,
            "FORBIDDEN",
        ),
        (
            "/exports/attendance.xlsx",
            Some(national.as_str()),
            403,
            "FORBIDDEN",
        ),
        (
            "/exports/attendance.csv?from=2026-13-01",
            Some(admin.as_str()),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/attendance.csv?season=nope",
            Some(admin.as_str()),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/ledger.csv?season=0193a9e4-0000-7000-8000-000000000000",
            Some(admin.as_str()),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/audit.csv?from=2026-02-01&to=2026-01-01",
            Some(admin.as_str()),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/attendance.csv?language=de",
            Some(admin.as_str()),
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/passwords.csv",
            Some(admin.as_str()),
            404,
            "NOT_FOUND",
        ),
        (
            "/exports/attendance.pdf",
            Some(admin.as_str()),
            404,
            "NOT_FOUND",
        ),
    ] {
        let r = app.download(path, token).await;
        let body = String::from_utf8_lossy(&r.body);
        assert_eq!(r.status, want, "{path}: {body}");
        let v: Value = serde_json::from_str(&body).expect("a JSON error");
        assert_eq!(v["errors"][0]["extensions"]["code"], code, "{path}: {body}");
        assert!(!body.to_lowercase().contains("select "), "{body}");
    }
}
