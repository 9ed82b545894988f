//! A new chapter's first week, end to end, using nothing of the demo seed:
//! the operator launches Aktau with the CLI; its first admin reads the
//! invitation the SMTP sink received and accepts it over GraphQL; invites a
//! coach, who accepts; creates a season, a rink and a group; imports 200
//! students from an XLSX file (three bad rows are reported and nothing is
//! written, then the fixed file goes in); schedules sessions; the coach
//! records attendance; the students receive their emails; and the national
//! report counts the new city. Bad and replayed tokens are refused on the
//! way.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use soi_tests::accounts::{GOOD_PASSWORD, accept, invite_staff, link_token, wait_for_link};
use soi_tests::mail::{RunningWorker, Sink, address, quick_config};
use soi_tests::{TEST_JWT_SECRET, TestApp, TestDb, codes};
use std::process::Output;

mod support;

const STUDENTS: usize = 200;
const NAMES: &[&str] = &[
    "Айгерім",
    "Нұрлан",
    "Дана",
    "Ерлан",
    "Әлия",
    "Тимур",
    "Мадина",
    "Арман",
];

fn soi(url: &str, args: &[&str]) -> Output {
    support::soi_with(url, Some(TEST_JWT_SECRET), args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The students' spreadsheet: a header in English and one row per student
/// (languages in turn); `bad` rows (1-based data rows) broken in three ways.
fn spreadsheet(path: &std::path::Path, emails: &[String], broken: bool) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "email",
        "first name",
        "last name",
        "language",
        "group",
        "consent date",
    ];
    for (i, h) in header.iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(i).expect("col"), *h)
            .expect("header");
    }
    for (i, email) in emails.iter().enumerate() {
        let row = u32::try_from(i + 1).expect("row");
        let lang = ["kk", "ru", "en"][i % 3];
        let (mut email, mut first, mut consent) = (
            email.clone(),
            NAMES[i % NAMES.len()].to_owned(),
            "2026-09-15".to_owned(),
        );
        if broken {
            match i {
                10 => email = "not-an-email".into(),
                50 => first = String::new(),
                150 => consent = "31.02.2026".into(),
                _ => {}
            }
        }
        for (col, value) in [
            email,
            first,
            "Әбенов".into(),
            lang.into(),
            "Group A".into(),
            consent,
        ]
        .iter()
        .enumerate()
        {
            sheet
                .write_string(row, u16::try_from(col).expect("col"), value)
                .expect("cell");
        }
    }
    book.save(path).expect("save xlsx");
}

fn id(body: &Value, field: &str) -> String {
    body[field]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {body}"))
        .to_owned()
}

#[tokio::test]
async fn a_new_chapters_first_week() {
    let t = TestDb::new().await;
    let url = t.url();
    let sink = Sink::shared();
    let worker = RunningWorker::start(&t, quick_config(&sink.url())).await;
    let app = TestApp::spawn(&t).await;

    // Day 1: the operator launches the city and invites its admin.
    let admin_email = address("");
    let launched = soi(
        &url,
        &[
            support::LAUNCH_AKTAU,
            &["--admin", &admin_email, "--language", "ru"],
        ]
        .concat(),
    );
    assert!(launched.status.success(), "{}", text(&launched));
    let mail = wait_for_link(&sink, &admin_email, "accept-invitation").await;
    assert_eq!(mail.subject, "Приглашение в Students on Ice — Актау");
    let token = link_token(&mail, "accept-invitation");
    let forged = format!("{}x", &token[..token.len() - 1]);
    let refused = accept(&app, &forged, GOOD_PASSWORD).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["reason"], "UNKNOWN",
        "{refused}"
    );
    let accepted = accept(&app, &token, GOOD_PASSWORD).await;
    let admin = accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{accepted}"))
        .to_owned();
    let replayed = accept(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(
        replayed["errors"][0]["extensions"]["reason"], "USED",
        "{replayed}"
    );

    // The admin's coach: a coach record, an invitation tied to it, accepted.
    let coach_email = address("");
    let coach_record = id(
        &app.ok(
            &admin,
            "mutation($i: CoachInput!) { createCoach(input: $i) { id } }",
            json!({ "i": { "firstName": "Асель", "lastName": "Нұрова", "email": coach_email,
                           "qualification": "MASTER_OF_SPORT" } }),
        )
        .await,
        "createCoach",
    );
    let invited = invite_staff(
        &app,
        &admin,
        &coach_email,
        "COACH",
        Some(&coach_record),
        "KK",
    )
    .await;
    assert!(invited["errors"].is_null(), "{invited}");
    let mail = wait_for_link(&sink, &coach_email, "accept-invitation").await;
    let coach_token = link_token(&mail, "accept-invitation");
    let coach = accept(&app, &coach_token, "скейт мұз көктем таңертең").await;
    let coach = coach["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{coach}"))
        .to_owned();
    let replayed = accept(&app, &coach_token, GOOD_PASSWORD).await;
    assert_eq!(replayed["errors"][0]["extensions"]["reason"], "USED");

    // Season, rink, group, the coach on the group.
    let today = Utc::now().date_naive();
    let season = id(
        &app.ok(
            &admin,
            "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }",
            json!({ "i": { "title": "Ақтау 2026–2027", "socialTheme": "Таза теңіз",
                           "startsOn": today.to_string(), "endsOn": (today + Duration::days(180)).to_string(),
                           "capacity": 250, "autoAccept": false } }),
        )
        .await,
        "createSeason",
    );
    let rink = id(
        &app.ok(
            &admin,
            "mutation($i: RinkInput!) { createRink(input: $i) { id } }",
            json!({ "i": { "name": "Каспий арена", "address": "14 шағын аудан, 1" } }),
        )
        .await,
        "createRink",
    );
    let group = id(
        &app.ok(
            &admin,
            "mutation($s: ID!) { createGroup(seasonId: $s, name: \"Group A\") { id } }",
            json!({ "s": season }),
        )
        .await,
        "createGroup",
    );
    app.ok(
        &admin,
        "mutation($g: ID!, $c: ID!) { assignCoach(groupId: $g, coachId: $c) { id } }",
        json!({ "g": group, "c": coach_record }),
    )
    .await;

    // The student list: three bad rows stop the import whole; fixed, it goes in.
    let students: Vec<String> = (0..STUDENTS).map(|_| address("")).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("students.xlsx");
    spreadsheet(&file, &students, true);
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "participants",
            "--city",
            "aktau",
            "--season",
            &season,
            "--consent-version",
            "2026-09",
        ];
        args.extend_from_slice(extra);
        let path = file.display().to_string();
        args.push(&path);
        soi(&url, &args)
    };
    let bad = import(&[]);
    assert!(!bad.status.success());
    let report = text(&bad);
    let bad_rows: Vec<&str> = report.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(bad_rows.len(), 3, "{report}");
    for (row, column) in [
        ("row 12:", "email"),
        ("row 52:", "first name"),
        ("row 152:", "consent date"),
    ] {
        assert!(
            bad_rows
                .iter()
                .any(|l| l.starts_with(row) && l.contains(column)),
            "{row} {column} not in {report}"
        );
    }
    let members_of = "query($g: ID!) { group(id: $g) { members { id } } }";
    let count = |body: &Value| body["group"]["members"].as_array().map_or(0, Vec::len);
    let none = app.ok(&admin, members_of, json!({ "g": group })).await;
    assert_eq!(count(&none), 0, "nothing written: {none}");
    let people: i64 = sqlx::query_scalar("select count(*) from participants")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("participants");
    assert_eq!(people, 0, "nothing written");
    spreadsheet(&file, &students, false);
    let good = import(&[]);
    assert!(good.status.success(), "{}", text(&good));
    let all = app.ok(&admin, members_of, json!({ "g": group })).await;
    assert_eq!(count(&all), STUDENTS, "everyone in Group A");

    // Sessions this week; the students hear of them in their language.
    let first_start = Utc::now() + Duration::hours(2);
    let mut sessions = Vec::new();
    for day in 0..3 {
        let starts = first_start + Duration::days(day * 2);
        let s = app
            .ok(
                &coach,
                "mutation($i: SessionInput!) { scheduleSession(input: $i) { id } }",
                json!({ "i": { "groupId": group, "rinkId": rink, "startsAt": starts.to_rfc3339(),
                               "endsAt": (starts + Duration::minutes(90)).to_rfc3339() } }),
            )
            .await;
        sessions.push(id(&s, "scheduleSession"));
    }
    for (i, subject) in [
        (0, "Жаңа жаттығу"),
        (1, "Новая тренировка"),
        (2, "New training session"),
    ] {
        let got = sink
            .wait_for(&students[i], 3, std::time::Duration::from_secs(60))
            .await;
        assert!(
            got.iter().all(|m| m.subject.starts_with(subject)),
            "{}: {:?}",
            students[i],
            got.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
    }

    // The coach records the first session's attendance.
    let members = app.ok(&coach, members_of, json!({ "g": group })).await;
    let marks: Vec<Value> = members["group"]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("{members}"))
        .iter()
        .map(|m| json!({ "participantId": m["id"], "mark": "PRESENT" }))
        .collect();
    assert!(!marks.is_empty());
    let recorded = app
        .ok(
            &coach,
            "mutation($s: ID!, $m: [MarkInput!]!) { recordAttendance(sessionId: $s, marks: $m) { mark } }",
            json!({ "s": sessions[0], "m": marks }),
        )
        .await;
    assert_eq!(
        recorded["recordAttendance"].as_array().map(Vec::len),
        Some(marks.len())
    );
    // A coach may not manage staff.
    assert_eq!(
        codes(
            &app.ask(&coach, "{ staff { accounts { id } } }", json!({}))
                .await
        ),
        ["FORBIDDEN"]
    );

    // The alliance sees Aktau in the national report.
    let national = address("");
    let pw = GOOD_PASSWORD.to_owned();
    let hash = tokio::task::spawn_blocking(move || soi_auth::hash_password(&pw))
        .await
        .expect("hash")
        .expect("hash");
    soi_db::auth::accounts::create_as_owner(
        &t.system().await,
        &soi_db::auth::accounts::NewAccount {
            email: soi_core::Email::parse(&national).expect("email"),
            password_hash: hash,
            principal_role: soi_core::Role::National,
            city: None,
            coach: None,
            participant: None,
        },
    )
    .await
    .expect("national account");
    let signed = soi_tests::accounts::login_with(&app, &national, GOOD_PASSWORD).await;
    let token = signed["data"]["login"]["accessToken"]
        .as_str()
        .expect("national");
    let month = today.format("%Y-%m").to_string();
    let report = app
        .ok(
            token,
            "query($f: YearMonth!, $t: YearMonth!) { nationalReport(from: $f, to: $t) { rows { city { slug } figures { accepted } } } }",
            json!({ "f": month, "t": month }),
        )
        .await;
    let aktau = report["nationalReport"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["city"]["slug"] == "aktau")
        .unwrap_or_else(|| panic!("Aktau is not in {report}"))
        .clone();
    assert_eq!(aktau["figures"]["accepted"], STUDENTS, "{aktau}");
    worker.stop().await;
}
