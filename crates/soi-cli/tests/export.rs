//! `soi export`: the content of CSV and XLSX files, headers in another
//! language, and memory that stays flat however many rows stream through
//! (measured as the child process's peak RSS, from /proc, against the size
//! of what it wrote).

use calamine::{Data, Reader, Xlsx};
use soi_tests::{TestDb, io, launch};
use std::process::Stdio;
use std::time::Duration;

mod support;

/// Runs `soi` to completion and returns whether it succeeded and its peak
/// resident set (VmHWM, KiB), read from /proc every 2 ms while it runs: a
/// high-water mark only grows, so the last reading is within the final
/// moments of the true peak.
fn run_measured(url: &str, args: &[&str]) -> (bool, u64) {
    let mut child = support::soi_command(url)
        .args(args)
        // Far shorter than a large export takes: the export's read-only
        // transaction must lift it for itself (other work keeps it).
        .env("SOI_DB_STATEMENT_TIMEOUT_MS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn soi");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.success(), peak);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn xlsx_rows(path: &std::path::Path) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("range");
    range.rows().map(<[Data]>::to_vec).collect()
}

#[tokio::test]
async fn exporting_100000_attendance_marks_streams_in_bounded_memory() {
    let t = TestDb::new().await;
    let city = launch(&t.system().await, "aktau").await;
    let db = t.db().await;
    let (_, group) = io::season_with_group(&db, city.id, 300).await;
    io::attendance_marks(&db, city.id, group, 200, 500).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = |name: &str| dir.path().join(name).display().to_string();
    let url = t.url();
    let export = |format: &str, file: &str, extra: &[&str]| {
        let mut args = vec![
            "export",
            "attendance",
            "--city",
            "aktau",
            "--format",
            format,
            "--output",
            file,
        ];
        args.extend_from_slice(extra);
        run_measured(&url, &args)
    };
    // The same command with no rows: what the binary needs by itself.
    let (ok, baseline) = export("csv", &out("none.csv"), &["--to", "2026-09-30"]);
    assert!(ok);
    let (ok, csv_peak) = export("csv", &out("all.csv"), &[]);
    assert!(ok);
    let csv_bytes = std::fs::metadata(out("all.csv")).expect("csv").len() / 1024;
    let text = std::fs::read_to_string(out("all.csv")).expect("csv text");
    assert_eq!(text.lines().count(), 100_001);
    let (ok, xlsx_peak) = export("xlsx", &out("all.xlsx"), &[]);
    assert!(ok);
    assert_eq!(xlsx_rows(&dir.path().join("all.xlsx")).len(), 100_001);
    eprintln!(
        "baseline {baseline} KiB, csv peak {csv_peak} KiB, xlsx peak {xlsx_peak} KiB, csv output {csv_bytes} KiB"
    );
    // Holding the rows would grow the process by more than the file's size;
    // streaming them grows it by a small, fixed buffer.
    assert!(csv_bytes > 8 * 1024, "the export is large: {csv_bytes} KiB");
    assert!(
        csv_peak.saturating_sub(baseline) < csv_bytes / 4,
        "csv: {csv_peak} KiB vs baseline {baseline} KiB"
    );
    // The XLSX writer adds a fixed zip and deflate buffer of a few MiB (seen
    // 1.7–5.0 MiB over the baseline), whatever the number of rows; holding
    // the rows would take several times the CSV's size, so the CSV's size
    // (9.5 MiB here) is the bound.
    assert!(
        xlsx_peak.saturating_sub(baseline) < csv_bytes,
        "xlsx: {xlsx_peak} KiB vs baseline {baseline} KiB"
    );
}

#[tokio::test]
async fn csv_and_xlsx_exports_hold_the_rows_with_headers_in_the_asked_language() {
    let t = TestDb::new().await;
    let city = launch(&t.system().await, "aktau").await;
    let db = t.db().await;
    let (season, group) = io::season_with_group(&db, city.id, 300).await;
    io::attendance_marks(&db, city.id, group, 3, 2).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("a.csv").display().to_string();
    let season = season.to_string();
    let args = [
        "export",
        "attendance",
        "--city",
        "aktau",
        "--season",
        &season,
        "--language",
        "ru",
        "--output",
        &csv,
    ];
    assert!(run_measured(&t.url(), &args).0);
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}Начало занятия,Группа,Имя,Фамилия,Эл. почта,Отметка,Записано")
    );
    let first = lines.next().expect("a row");
    // 13:00 UTC is 18:00 in Almaty (UTC+5).
    assert!(
        first.starts_with("2026-10-01 18:00,Group A,Әлия,Сериккызы,student"),
        "{first}"
    );
    assert_eq!(text.lines().count(), 1 + 6);

    let xlsx = dir.path().join("p.xlsx");
    let path = xlsx.display().to_string();
    let args = [
        "export",
        "participants",
        "--city",
        "aktau",
        "--format",
        "xlsx",
        "--language",
        "kk",
        "--output",
        &path,
    ];
    assert!(run_measured(&t.url(), &args).0);
    let rows = xlsx_rows(&xlsx);
    assert_eq!(rows.len(), 1 + 3);
    assert_eq!(rows[0][1], Data::String("Аты".into()));
    assert_eq!(rows[1][1], Data::String("Әлия".into()));
    assert_eq!(rows[1][7], Data::String("kk".into()));
    // A season's participants are those enrolled in it: none here.
    let args = [
        "export",
        "participants",
        "--city",
        "aktau",
        "--season",
        &season,
        "--output",
        &csv,
    ];
    assert!(run_measured(&t.url(), &args).0);
    assert_eq!(
        std::fs::read_to_string(&csv).expect("csv").lines().count(),
        1
    );
}
