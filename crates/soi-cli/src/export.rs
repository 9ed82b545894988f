//! `soi export KIND --city SLUG --format csv|xlsx`: one city's data as a
//! spreadsheet, read in one read-only tenant transaction of that city and
//! streamed row by row to the file (or stdout for CSV).

use crate::config::Config;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use soi_core::{Language, SeasonId, SystemCtx};
use soi_db::Db;
use soi_service::exports::{self, CsvSink, Kind, Request, XlsxSink};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum What {
    Participants,
    Attendance,
    Applications,
    Ledger,
    Audit,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

#[derive(Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    what: What,
    /// The city's slug, e.g. `aktau`.
    #[arg(long, value_name = "SLUG")]
    city: String,
    /// csv (UTF-8 with BOM) or xlsx.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Only this season (participants, attendance, applications).
    #[arg(long, value_name = "ID")]
    season: Option<String>,
    /// From this day (YYYY-MM-DD, in the city's time zone).
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// To this day, included.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// Language of the column headers: en, ru or kk.
    #[arg(long, default_value = "en", value_name = "LANG")]
    language: String,
    /// The file to write; CSV goes to stdout without it, XLSX needs it.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    pub config: Config,
}

pub async fn run(a: ExportArgs) -> Result<()> {
    let kind = match a.what {
        What::Participants => Kind::Participants,
        What::Attendance => Kind::Attendance,
        What::Applications => Kind::Applications,
        What::Ledger => Kind::Ledger,
        What::Audit => Kind::Audit,
    };
    let season = a
        .season
        .as_deref()
        .map(|s| uuid::Uuid::parse_str(s.trim()).map(SeasonId::from))
        .transpose()
        .context("--season is not a season id")?;
    let req = Request::new(kind, season, a.from, a.to, Language::parse(&a.language)?)?;
    if a.format == Format::Xlsx && a.output.is_none() {
        bail!("--format xlsx needs --output FILE");
    }
    let db = Db::connect(&a.config.db()).await?;
    let mut national = db.national().await?;
    let city = soi_db::cities::by_slug(&mut national, &a.city)
        .await
        .with_context(|| format!("no city '{}'", a.city))?;
    national.commit().await?;
    let mut tx = db
        .tenant_read_only(&SystemCtx::new("export").in_city(city.id))
        .await?;
    let rows = match (a.format, &a.output) {
        (Format::Xlsx, Some(path)) => {
            let mut sink = XlsxSink::create(path)?;
            let n = exports::export(&mut tx, &req, &mut sink).await?;
            sink.finish()?;
            n
        }
        (_, Some(path)) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut sink = CsvSink::new(std::io::BufWriter::new(file))?;
            let n = exports::export(&mut tx, &req, &mut sink).await?;
            sink.finish()?.flush()?;
            n
        }
        (_, None) => {
            let mut sink = CsvSink::new(std::io::BufWriter::new(std::io::stdout()))?;
            let n = exports::export(&mut tx, &req, &mut sink).await?;
            sink.finish()?.flush()?;
            n
        }
    };
    tx.commit().await?;
    db.close().await;
    eprintln!("exported {rows} {} row(s) of {}", kind.code(), city.slug);
    Ok(())
}
