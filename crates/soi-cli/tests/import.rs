//! `soi import`: every kind of bad row is reported and nothing is written;
//! `--skip-invalid`, re-runs, `--dry-run`, BOM and `;` CSV, XLSX, and kk/ru
//! headers. Each test gets a fresh database and runs the real binary.

use soi_core::CityId;
use soi_db::program::{enrollments, group_members, participants};
use soi_tests::{TestDb, io, launch, tenant};
use std::process::Output;
use support::soi;

mod support;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct City {
    t: TestDb,
    id: CityId,
    season: String,
    group: soi_core::GroupId,
    dir: tempfile::TempDir,
}

impl City {
    async fn new(capacity: i32) -> City {
        let t = TestDb::new().await;
        let city = launch(&t.system().await, "aktau").await;
        let db = t.db().await;
        let (season, group) = io::season_with_group(&db, city.id, capacity).await;
        City {
            t,
            id: city.id,
            season: season.to_string(),
            group,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write file");
        path.display().to_string()
    }

    fn import(&self, file: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "import",
            "participants",
            "--city",
            "aktau",
            "--season",
            &self.season,
            "--consent-version",
            "2026-09",
        ];
        args.extend_from_slice(extra);
        args.push(file);
        soi(&self.t.url(), &args)
    }

    /// (participants, enrollments in the season, members of "Group A").
    async fn counts(&self) -> (i64, usize, usize) {
        let db = self.t.db().await;
        let mut tx = tenant(&db, self.id).await;
        let people = participants::count(&mut tx).await.expect("count");
        let season = uuid::Uuid::parse_str(&self.season).expect("id").into();
        let all = participants::list(&mut tx, soi_db::Page::first(500))
            .await
            .expect("list");
        let ids: Vec<_> = all.iter().map(|p| p.id).collect();
        let enrolled = enrollments::of_participants(&mut tx, season, &ids)
            .await
            .expect("e");
        let members = group_members::members(&mut tx, self.group)
            .await
            .expect("members");
        (people, enrolled.len(), members.len())
    }
}

const HEADER: &str = "email,first name,last name,phone,birth date,language,group,consent date\n";

#[tokio::test]
async fn every_kind_of_bad_row_is_reported_and_nothing_is_written() {
    let c = City::new(100).await;
    let csv = format!(
        "{HEADER}\
         aliya@example.kz,Әлия,Серікова,+7 701 123 45 67,2001-05-04,kk,Group A,2026-09-01\n\
         not-an-email,Дана,Ахметова,,,ru,,2026-09-01\n\
         ruslan@example.kz,,Омаров,,,ru,,2026-09-01\n\
         bad.phone@example.kz,Марат,Жунусов,12345,,ru,,2026-09-01\n\
         bad.date@example.kz,Айгерим,Касымова,,31.02.2001,kk,,2026-09-01\n\
         bad.lang@example.kz,John,Smith,,,de,,2026-09-01\n\
         ALIYA@example.kz,Әлия,Двойник,,,kk,,2026-09-01\n\
         group@example.kz,Ерлан,Нурланов,,,kk,Group Z,2026-09-01\n\
         consent@example.kz,Ерлан,Бекович,,,kk,,\n"
    );
    let out = c.import(&c.file("students.csv", csv.as_bytes()), &[]);
    let text = stdout(&out);
    assert!(!out.status.success(), "{text}");
    for line in [
        "row 3: email: is not a valid email address",
        "row 4: first name: is empty",
        "row 5: phone: is not a valid phone number",
        "row 6: birth date: '31.02.2001' is not a date",
        "row 7: language: 'de' is not kk, ru or en",
        "row 8: email: the same email as row 2",
        "row 9: group: there is no group 'Group Z' in this season",
        "row 10: consent date: is empty",
    ] {
        assert!(text.contains(line), "missing '{line}' in:\n{text}");
    }
    assert!(!text.contains("row 2:"), "row 2 is good:\n{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing imported: 8 problem(s) in 8 row(s)")
    );
    assert_eq!(c.counts().await, (0, 0, 0));

    // The same file with --skip-invalid writes the one good row, into its group.
    let out = c.import(&c.file("students.csv", csv.as_bytes()), &["--skip-invalid"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(c.counts().await, (1, 1, 1));
}

#[tokio::test]
async fn unknown_or_missing_columns_empty_files_and_other_file_types_are_refused() {
    let c = City::new(100).await;
    let cases: [(&str, &[u8], &str); 5] = [
        ("colour.csv", b"email,first name,last name,consent date,favourite colour\na@b.kz,A,B,2026-09-01,red\n", "favourite colour: is not a column this import knows"),
        ("no-email.csv", b"first name,last name,consent date\nA,B,2026-09-01\n", "email: required column is missing"),
        ("empty.csv", b"", "the file is empty"),
        ("header-only.csv", HEADER.as_bytes(), "the file has a header but no rows"),
        ("scan.pdf", b"%PDF-1.7\n\x00\x01\x02binary", "neither CSV (UTF-8 text) nor XLSX"),
    ];
    for (name, bytes, expected) in cases {
        let out = c.import(&c.file(name, bytes), &["--skip-invalid"]);
        let text = stdout(&out);
        assert!(!out.status.success(), "{name}: {text}");
        assert!(
            text.contains(expected),
            "{name}: missing '{expected}' in:\n{text}"
        );
    }
    assert_eq!(c.counts().await, (0, 0, 0));
}

#[tokio::test]
async fn a_rerun_is_idempotent_and_updates_changed_details() {
    let c = City::new(100).await;
    let csv = format!(
        "{HEADER}a@example.kz,Әлия,Серікова,,,kk,Group A,2026-09-01\nb@example.kz,Дана,Ахметова,,,ru,,2026-09-01\n"
    );
    let file = c.file("s.csv", csv.as_bytes());
    assert!(c.import(&file, &[]).status.success());
    let again = c.import(&file, &[]);
    assert!(
        stdout(&again)
            .contains("0 created, 0 updated, 2 unchanged, 0 enrolled, 2 already enrolled"),
        "{}",
        stdout(&again)
    );
    assert_eq!(c.counts().await, (2, 2, 1));
    let changed = csv.replace("Дана,Ахметова,,", "Дана,Ахметова,8 701 123 45 67,");
    let out = c.import(&c.file("s2.csv", changed.as_bytes()), &[]);
    assert!(
        stdout(&out).contains("0 created, 1 updated, 1 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(c.counts().await, (2, 2, 1));
    // Each import is in the audit log as the system's `import`, with counts only.
    let db = c.t.db().await;
    let mut tx = tenant(&db, c.id).await;
    let log = soi_db::audit::list(&mut tx, Some("importParticipants"), soi_db::Page::first(10))
        .await
        .expect("audit");
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].actor_job.as_deref(), Some("import"));
    assert_eq!(log[2].target_ids["created"], 2);
    assert!(
        !log[2].target_ids.to_string().contains('@'),
        "{}",
        log[2].target_ids
    );
}

#[tokio::test]
async fn a_dry_run_reports_what_it_would_do_and_writes_nothing() {
    let c = City::new(100).await;
    let csv = format!("{HEADER}a@example.kz,Әлия,Серікова,,,kk,Group A,2026-09-01\n");
    let out = c.import(&c.file("s.csv", csv.as_bytes()), &["--dry-run"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("dry run: 1 rows, 0 bad; would be 1 created"),
        "{}",
        stdout(&out)
    );
    assert_eq!(c.counts().await, (0, 0, 0));
}

#[tokio::test]
async fn a_semicolon_csv_with_a_bom_and_russian_headers_imports() {
    let c = City::new(100).await;
    let csv = "\u{feff}Эл. почта;Имя;Фамилия;Телефон;Дата рождения;Язык;Группа;Дата согласия\n\
               dana@example.kz;Дана;Ахметова;8 (701) 123-45-67;04.05.2001;Русский;group a;01.09.2026\n";
    let out = c.import(&c.file("ru.csv", csv.as_bytes()), &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(c.counts().await, (1, 1, 1));
    let db = c.t.db().await;
    let mut tx = tenant(&db, c.id).await;
    let email = soi_core::Email::parse("dana@example.kz").expect("email");
    let p = participants::by_email(&mut tx, &email)
        .await
        .expect("q")
        .expect("imported");
    assert_eq!(p.phone.as_deref(), Some("+77011234567"));
    assert_eq!(p.preferred_language, soi_core::Language::Ru);
    assert_eq!(p.consent_method, soi_core::states::ConsentMethod::Paper);
    assert_eq!(p.consent_text_version, "2026-09");
}

#[tokio::test]
async fn an_xlsx_with_kazakh_headers_and_date_cells_imports() {
    let c = City::new(100).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let head = [
        "Электрондық пошта",
        "Аты",
        "Тегі",
        "Телефон",
        "Туған күні",
        "Тіл",
        "Топ",
        "Келісім күні",
    ];
    for (i, h) in (0u16..).zip(head) {
        sheet.write_string(0, i, h).expect("header");
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    let born = chrono::NaiveDate::from_ymd_opt(2000, 1, 2).expect("date");
    let signed = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    sheet.write_string(1, 0, "nurlan@example.kz").expect("cell");
    sheet.write_string(1, 1, "Нұрлан").expect("cell");
    sheet.write_string(1, 2, "Әбенов").expect("cell");
    // A phone typed as a number, as spreadsheets keep them.
    sheet.write_number(1, 3, 87_011_234_567.0).expect("cell");
    sheet
        .write_date_with_format(1, 4, born, &date)
        .expect("cell");
    sheet.write_string(1, 5, "қазақ").expect("cell");
    sheet.write_string(1, 6, "Group A").expect("cell");
    sheet
        .write_date_with_format(1, 7, signed, &date)
        .expect("cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    let out = c.import(&c.file("kk.xlsx", &bytes), &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(c.counts().await, (1, 1, 1));
}

#[tokio::test]
async fn more_students_than_free_seats_are_refused_whole() {
    let c = City::new(1).await;
    let csv = format!(
        "{HEADER}a@example.kz,Әлия,Серікова,,,kk,,2026-09-01\nb@example.kz,Дана,Ахметова,,,ru,,2026-09-01\n"
    );
    let out = c.import(&c.file("s.csv", csv.as_bytes()), &["--skip-invalid"]);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("the season has 1 free seat(s); the file would enroll 2"),
        "{}",
        stdout(&out)
    );
    assert_eq!(c.counts().await, (0, 0, 0));
}

#[tokio::test]
async fn coaches_import_matches_by_email_and_reports_bad_rows() {
    let c = City::new(10).await;
    let csv = "email,first name,last name,qualification,phone\n\
               coach@example.kz,Ерлан,Тренеров,КМС,\n\
               coach2@example.kz,Алма,Ғалиева,champion,\n";
    let run = |f: &str| soi(&c.t.url(), &["import", "coaches", "--city", "aktau", f]);
    let out = run(&c.file("c.csv", csv.as_bytes()));
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("row 3: qualification: 'champion' is not"),
        "{}",
        stdout(&out)
    );
    let fixed = csv.replace("champion", "master_of_sport");
    let file = c.file("c2.csv", fixed.as_bytes());
    assert!(run(&file).status.success());
    let again = run(&file);
    assert!(
        stdout(&again).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        stdout(&again)
    );
}
