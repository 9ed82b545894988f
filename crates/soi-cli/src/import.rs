//! `soi import participants|coaches`: a chapter's spreadsheet into its city,
//! as the system actor `import`, in one tenant transaction (all or nothing).
//! The report goes to stdout; a refused import exits non-zero.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use soi_core::{Language, SeasonId, SystemCtx};
use soi_db::Db;
use soi_service::program::imports::{self, Options, Report, Sheet};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Files with more rows than this get a progress bar (on a terminal).
const BAR_FROM_ROWS: usize = 2_000;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import participants into a season: each row becomes (or updates, by
    /// email) a participant of the city, accepted in the season.
    ///
    /// Columns (header names in English, Russian or Kazakh, any case):
    /// email*, first name*, last name*, consent date* (the day the paper
    /// consent form was signed), phone, university, birth date, language
    /// (kk/ru/en), group (a group of the season, by name), guardian (needed
    /// under 18), consent version. * = required.
    Participants(ParticipantsArgs),
    /// Import coaches: each row becomes (or updates, by email) a coach.
    ///
    /// Columns: email*, first name*, last name*, qualification*
    /// (master_of_sport, candidate_master_of_sport, certified_coach, or
    /// МС/КМС/тренер), phone.
    Coaches(CoachesArgs),
}

#[derive(Args)]
pub struct Common {
    /// The city's slug, e.g. `aktau`.
    #[arg(long, value_name = "SLUG")]
    city: String,
    /// Check every row and report what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the good rows and report the bad ones (by default any bad row
    /// stops the import and nothing is written).
    #[arg(long)]
    skip_invalid: bool,
    /// The file: CSV (UTF-8, `,` or `;`) or XLSX (first sheet).
    file: PathBuf,
}

#[derive(Args)]
pub struct ParticipantsArgs {
    /// The season to enroll them in (its id).
    #[arg(long, value_name = "ID")]
    season: String,
    /// Consent text version of the paper forms, for rows without a
    /// `consent version` cell, e.g. `2026-09`.
    #[arg(long, value_name = "VERSION")]
    consent_version: Option<String>,
    /// Language (kk, ru, en) of rows without a `language` cell.
    #[arg(long, value_name = "LANG")]
    default_language: Option<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Args)]
pub struct CoachesArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    pub config: Config,
}

pub async fn run(cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Participants(a) => {
            let season = uuid::Uuid::parse_str(a.season.trim())
                .map(SeasonId::from)
                .context("--season is not a season id")?;
            let default_language = a
                .default_language
                .as_deref()
                .map(Language::parse)
                .transpose()?;
            let mut opts = options(&a.common);
            opts.consent_version = a.consent_version;
            opts.default_language = default_language;
            go(&a.config, &a.common, &opts, Some(season)).await
        }
        ImportCommand::Coaches(a) => go(&a.config, &a.common, &options(&a.common), None).await,
    }
}

fn options(c: &Common) -> Options {
    Options {
        dry_run: c.dry_run,
        skip_invalid: c.skip_invalid,
        consent_version: None,
        default_language: None,
        today: chrono::Utc::now().date_naive(),
    }
}

async fn go(config: &Config, c: &Common, opts: &Options, season: Option<SeasonId>) -> Result<()> {
    let bytes =
        std::fs::read(&c.file).with_context(|| format!("cannot read {}", c.file.display()))?;
    let db = Db::connect(&config.db()).await?;
    let mut national = db.national().await?;
    let city = soi_db::cities::by_slug(&mut national, &c.city)
        .await
        .with_context(|| format!("no city '{}'", c.city))?;
    national.commit().await?;
    let report = match Sheet::read(&bytes) {
        Err(e) => imports::unreadable(&e),
        Ok(sheet) => {
            let bar = progress_bar(sheet.rows.len());
            let mut tick = |n: usize| bar.set_position(n as u64);
            let scope = SystemCtx::new("import").in_city(city.id);
            let mut tx = db.tenant(&scope).await?;
            let report = match season {
                Some(s) => imports::import_participants(&mut tx, s, &sheet, opts, &mut tick).await,
                None => imports::import_coaches(&mut tx, &sheet, opts, &mut tick).await,
            }?;
            bar.finish_and_clear();
            // The use case wrote only if it decided to; commit is all or nothing.
            tx.commit().await?;
            report
        }
    };
    db.close().await;
    print_report(&report, opts);
    // Bad rows fail the command unless they were skipped on purpose; a
    // problem of the file always does.
    let tolerated = opts.skip_invalid && !report.file_problem();
    if !report.problems.is_empty() && !tolerated {
        let what = if opts.dry_run {
            "dry run found"
        } else {
            "nothing imported:"
        };
        bail!(
            "{what} {} problem(s) in {} row(s){}",
            report.problems.len(),
            report.bad_rows,
            if report.file_problem() {
                " and in the file"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn progress_bar(rows: usize) -> ProgressBar {
    if rows < BAR_FROM_ROWS || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed}") {
        bar.set_style(style);
    }
    bar
}

fn print_report(r: &Report, opts: &Options) {
    for p in &r.problems {
        println!("{p}");
    }
    let counts = format!(
        "{} created, {} updated, {} unchanged, {} enrolled, {} already enrolled",
        r.created, r.updated, r.unchanged, r.enrolled, r.already_enrolled
    );
    if opts.dry_run {
        println!(
            "dry run: {} rows, {} bad; would be {counts}; nothing written",
            r.rows, r.bad_rows
        );
    } else if r.written {
        println!(
            "imported: {} rows, {} bad (skipped); {counts}",
            r.rows, r.bad_rows
        );
    } else if r.problems.is_empty() {
        println!("nothing to change: {} rows; {counts}", r.rows);
    }
}
