//! `soi-bench io-child`: one import or export in a process of its own,
//! printing `rows seconds peak_kib` (its own VmHWM, read at the end).

use anyhow::{Context, Result, bail, ensure};
use clap::Args as ClapArgs;
use soi_core::{CityId, Language, SeasonId, SystemCtx};
use soi_db::{Db, DbConfig};
use soi_service::exports::{self, CsvSink, Kind, Request, XlsxSink};
use soi_service::program::imports::{self, Options, Sheet};
use std::io::Write;
use std::time::Instant;

#[derive(ClapArgs)]
pub struct ChildArgs {
    #[arg(long)]
    url: String,
    /// `import CITY SEASON FILE` or `export CITY FORMAT FILE`.
    #[arg(num_args = 4)]
    work: Vec<String>,
}

pub async fn run(a: ChildArgs) -> Result<()> {
    let mut cfg = DbConfig::new(a.url.clone());
    cfg.max_connections = 2;
    let db = Db::connect(&cfg).await?;
    let city = CityId::from(uuid::Uuid::parse_str(&a.work[1])?);
    let scope = SystemCtx::new("bench").in_city(city);
    let started = Instant::now();
    let rows = match a.work[0].as_str() {
        "import" => {
            let season = SeasonId::from(uuid::Uuid::parse_str(&a.work[2])?);
            let sheet = Sheet::read(&std::fs::read(&a.work[3])?)?;
            let opts = Options {
                dry_run: false,
                skip_invalid: false,
                consent_version: Some("2026-09".into()),
                default_language: None,
                today: chrono::Utc::now().date_naive(),
            };
            let mut tx = db.tenant(&scope).await?;
            let report =
                imports::import_participants(&mut tx, season, &sheet, &opts, &mut |_| {}).await?;
            tx.commit().await?;
            ensure!(
                report.written && report.problems.is_empty(),
                "import refused: {:?}",
                report.problems.first()
            );
            report.created as u64
        }
        "export" => {
            let req = Request::new(Kind::Attendance, None, None, None, Language::En)?;
            let mut tx = db.tenant_read_only(&scope).await?;
            let n = match a.work[2].as_str() {
                "csv" => {
                    let file = std::fs::File::create(&a.work[3])?;
                    let mut sink = CsvSink::new(std::io::BufWriter::new(file))?;
                    let n = exports::export(&mut tx, &req, &mut sink).await?;
                    sink.finish()?.flush()?;
                    n
                }
                "xlsx" => {
                    let mut sink = XlsxSink::create(&a.work[3])?;
                    let n = exports::export(&mut tx, &req, &mut sink).await?;
                    sink.finish()?;
                    n
                }
                other => bail!("no format {other}"),
            };
            tx.commit().await?;
            n
        }
        other => bail!("no work {other}"),
    };
    let seconds = started.elapsed().as_secs_f64();
    db.close().await;
    let peak = crate::mem::Memory::of(None).context("VmHWM")?.hwm_kib;
    println!("{rows} {seconds:.3} {peak}");
    Ok(())
}
