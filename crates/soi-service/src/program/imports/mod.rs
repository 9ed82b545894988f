//! Spreadsheet imports: a chapter's participants (enrolled in a season) and
//! coaches, from CSV or XLSX, for the CLI today and an upload later.
//!
//! The rules every import keeps:
//! - every row is checked with the API's own rules ([`super::people`])
//!   before anything is written; a report names each bad row (its number as
//!   in the file), the column and the reason;
//! - with any problem nothing is written, unless the caller asked to skip
//!   invalid rows; a problem of the file itself (an unknown or missing
//!   column, no rows, not CSV or XLSX) always stops it;
//! - people are matched by email within the city: a known one is updated
//!   (empty cells keep what is stored) or left, never duplicated; an
//!   enrollment in the season is never duplicated; so a re-run is harmless;
//! - it runs in the caller's tenant transaction (all or nothing) and writes
//!   one audit record with counts only, no personal data;
//! - it sends no email: inviting people is a separate, deliberate step.

mod coaches;
mod columns;
mod enroll;
mod participants;
mod report;
mod sheet;
mod values;

pub use coaches::import_coaches;
pub use columns::Column;
pub use participants::import_participants;
pub use report::{Problem, Report};
pub use sheet::{Row, Sheet, SheetError};

use chrono::NaiveDate;
use soi_core::Language;
use std::collections::HashMap;

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check and report what would happen; write nothing.
    pub dry_run: bool,
    /// Write the good rows and report the bad ones (instead of writing
    /// nothing when any row is bad).
    pub skip_invalid: bool,
    /// The consent text version the paper forms carried, for rows without a
    /// `consent version` cell.
    pub consent_version: Option<String>,
    /// The language of rows without a `language` cell.
    pub default_language: Option<Language>,
    /// The day the rules are checked on (birth dates, adulthood).
    pub today: NaiveDate,
}

/// Told how many rows are done, as the import goes.
pub type Progress<'a> = &'a mut (dyn FnMut(usize) + Send);

/// Where each known column is in the file, and its header as written there.
struct Layout {
    at: HashMap<Column, (usize, String)>,
}

impl Layout {
    /// Maps the header; unknown, repeated and missing required columns are
    /// problems of the file.
    fn read(sheet: &Sheet, allowed: &[Column], required: &[Column], out: &mut Report) -> Layout {
        let mut at = HashMap::new();
        for (i, h) in sheet.header.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            match Column::find(h, allowed) {
                None => out
                    .problems
                    .push(file_problem(h, "is not a column this import knows")),
                Some(c) if at.contains_key(&c) => {
                    out.problems.push(file_problem(h, "appears twice"));
                }
                Some(c) => {
                    at.insert(c, (i, h.clone()));
                }
            }
        }
        for c in required {
            if !at.contains_key(c) {
                out.problems
                    .push(file_problem(c.name(), "required column is missing"));
            }
        }
        if sheet.rows.is_empty() {
            out.problems
                .push(file_problem("rows", "the file has a header but no rows"));
        }
        Layout { at }
    }

    /// The cell of `c` in `row`, if the column exists and the cell is not empty.
    fn get<'r>(&self, row: &'r Row, c: Column) -> Option<&'r str> {
        let (i, _) = self.at.get(&c)?;
        row.cells
            .get(*i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The column's header as the file wrote it (reports use the file's words).
    fn label(&self, c: Column) -> String {
        self.at
            .get(&c)
            .map_or_else(|| c.name().to_owned(), |(_, h)| h.clone())
    }
}

/// The report of a file of `sheet`'s rows and where its columns are; the
/// file's own problems (see [`Layout::read`]) are in the report already.
fn start(sheet: &Sheet, allowed: &[Column], required: &[Column]) -> (Report, Layout) {
    let mut report = Report {
        rows: sheet.rows.len(),
        ..Report::default()
    };
    let layout = Layout::read(sheet, allowed, required, &mut report);
    (report, layout)
}

/// The rows `check` accepts (it notes each problem of a row in the row's
/// [`RowProblems`]), but for a second row with an email seen before; every
/// bad row's problems go to the report.
fn good_rows<T>(
    sheet: &Sheet,
    layout: &Layout,
    report: &mut Report,
    email: impl Fn(&T) -> &str,
    mut check: impl FnMut(&Row, &mut RowProblems<'_>) -> Option<T>,
) -> Vec<T> {
    let mut seen = SeenEmails::default();
    let mut good = Vec::new();
    for row in &sheet.rows {
        let mut p = RowProblems::new(layout, row.number);
        if let Some(g) = check(row, &mut p)
            && p.list.is_empty()
        {
            match seen.first_row(email(&g), row.number) {
                Some(first) => p.add(Column::Email, format!("the same email as row {first}")),
                None => good.push(g),
            }
        }
        if !p.list.is_empty() {
            report.bad_rows += 1;
            report.problems.extend(p.list);
        }
    }
    good
}

/// Records the import in the city's audit log (counts only) and marks the
/// report written.
async fn written(
    tx: &mut soi_db::TenantTx,
    report: &mut Report,
    operation: &str,
    counts: &serde_json::Value,
) -> soi_db::Result<()> {
    let request = tx.request_id().map(str::to_owned);
    soi_db::audit::record(tx, operation, counts, request.as_deref()).await?;
    report.written = true;
    Ok(())
}

fn file_problem(field: &str, reason: &str) -> Problem {
    Problem {
        row: None,
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A report for a file that could not be read at all.
pub fn unreadable(e: &SheetError) -> Report {
    Report {
        problems: vec![file_problem("file", &e.to_string())],
        ..Report::default()
    }
}

/// Collects the problems of one row.
struct RowProblems<'l> {
    layout: &'l Layout,
    row: u32,
    list: Vec<Problem>,
}

impl<'l> RowProblems<'l> {
    fn new(layout: &'l Layout, row: u32) -> Self {
        Self {
            layout,
            row,
            list: Vec::new(),
        }
    }

    fn add(&mut self, c: Column, reason: impl Into<String>) {
        self.list.push(Problem {
            row: Some(self.row),
            field: self.layout.label(c),
            reason: reason.into(),
        });
    }

    /// A required cell, or a problem.
    fn required<'r>(&mut self, row: &'r Row, c: Column) -> &'r str {
        let v = self.layout.get(row, c);
        if v.is_none() {
            self.add(c, "is empty");
        }
        v.unwrap_or("")
    }

    /// An optional cell parsed with `parse`; a bad value is a problem.
    fn parsed<T>(
        &mut self,
        row: &Row,
        c: Column,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.layout.get(row, c)?;
        parse(v).map_err(|e| self.add(c, e)).ok()
    }

    /// The API's validation errors, named by this file's columns, but for
    /// those of cells already reported (an empty required cell is said once).
    fn input_errors(&mut self, errors: Vec<soi_core::InputError>, allowed: &[Column]) {
        let reported: Vec<String> = self.list.iter().map(|x| x.field.clone()).collect();
        let errors = errors.into_iter().filter(|e| {
            Column::of_field(e.field, allowed)
                .is_none_or(|c| !reported.contains(&self.layout.label(c)))
        });
        let errors: Vec<_> = errors.collect();
        for e in errors {
            match Column::of_field(e.field, allowed) {
                Some(c) => self.add(c, e.message),
                None => self.list.push(Problem {
                    row: Some(self.row),
                    field: e.field.to_owned(),
                    reason: e.message,
                }),
            }
        }
    }
}

/// Emails seen so far in the file, to refuse a second row with one.
#[derive(Default)]
struct SeenEmails(HashMap<String, u32>);

impl SeenEmails {
    /// The row that had this email first, if any; remembers this one otherwise.
    fn first_row(&mut self, email: &str, row: u32) -> Option<u32> {
        match self.0.get(email) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(email.to_owned(), row);
                None
            }
        }
    }
}
