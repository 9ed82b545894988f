//! `soi-bench io`: the spreadsheet work of issue 14. On a fresh database with
//! one city it imports N participants from a CSV file into a season, then
//! marks M attendance rows and exports them as CSV and as XLSX. Each import
//! and export runs in a child process (this binary, `soi-bench io-child`),
//! which reports its own peak RSS (VmHWM from /proc/self/status at the end),
//! so the figure is the import's or export's alone, not the seeding's. The
//! database and the files are deleted at the end.

pub mod child;
mod seed;

pub use child::ChildArgs;

use crate::scratch::Scratch;
use crate::table::{self, Table};
use anyhow::{Context, Result, ensure};
use clap::Args as ClapArgs;
use std::process::Command;

const DB_NAME: &str = "soi_bench_io";

#[derive(ClapArgs)]
pub struct Args {
    /// Rows of the participants file to import.
    #[arg(long, default_value_t = 10_000)]
    participants: usize,
    /// Attendance marks to export (participants × sessions of one group).
    #[arg(long, default_value_t = 1_000_000)]
    marks: usize,
}

pub async fn run(args: Args) -> Result<()> {
    ensure!(
        (1..=10_000).contains(&args.participants) && args.marks >= 500,
        "give 1 to 10,000 participants (a season's most) and at least 500 marks"
    );
    println!(
        "# soi-bench io --participants {} --marks {}",
        args.participants, args.marks
    );
    let dir = tempfile::tempdir().context("temp dir")?;
    let outcome = Scratch::with(DB_NAME, async |scratch| {
        let pools = scratch.pools(4, 1).await?;
        let setup = seed::city(&pools).await?;
        let file = dir.path().join("participants.csv");
        std::fs::write(&file, seed::participants_csv(args.participants))?;
        let t = Table::start(&[
            table::text("work"),
            table::num("rows"),
            table::num("seconds"),
            table::num("rows/s"),
            table::num("peak RSS MiB"),
            table::num("file MiB"),
        ]);
        let import = child(
            scratch,
            &[
                "import",
                setup.city.as_str(),
                setup.season.as_str(),
                &file.display().to_string(),
            ],
        )?;
        row(&t, "import participants (CSV)", &import, &file);
        seed::attendance(&pools, &setup, args.marks).await?;
        pools.close().await;
        for format in ["csv", "xlsx"] {
            let out = dir.path().join(format!("attendance.{format}"));
            let r = child(
                scratch,
                &[
                    "export",
                    setup.city.as_str(),
                    format,
                    &out.display().to_string(),
                ],
            )?;
            row(&t, &format!("export attendance ({format})"), &r, &out);
        }
        Ok(())
    })
    .await;
    drop(dir);
    outcome
}

/// What a child printed: rows, seconds, peak RSS in KiB.
struct Figures {
    rows: u64,
    seconds: f64,
    peak_kib: u64,
}

fn child(scratch: &Scratch, args: &[&str]) -> Result<Figures> {
    let out = Command::new(std::env::current_exe()?)
        .arg("io-child")
        .arg("--url")
        .arg(scratch.url())
        .args(args)
        .output()
        .context("run the child")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "child {args:?} failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parts: Vec<&str> = text.split_whitespace().collect();
    ensure!(parts.len() == 3, "child printed {text}");
    Ok(Figures {
        rows: parts[0].parse()?,
        seconds: parts[1].parse()?,
        peak_kib: parts[2].parse()?,
    })
}

#[allow(clippy::cast_precision_loss)]
fn row(t: &Table, work: &str, f: &Figures, file: &std::path::Path) {
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    t.row(&[
        work.to_owned(),
        f.rows.to_string(),
        format!("{:.2}", f.seconds),
        format!("{:.0}", f.rows as f64 / f.seconds),
        format!("{:.1}", f.peak_kib as f64 / 1024.0),
        format!("{:.1}", size as f64 / (1024.0 * 1024.0)),
    ]);
}
