//! What an import found and did: every problem (row number as in the file,
//! the column, the reason) and the counts. Counts only in the audit log;
//! the report itself goes to the operator who ran the import.

use serde::Serialize;

/// One problem: a row's field, or the whole file when `row` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub row: Option<u32>,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(r) => write!(f, "row {r}: {}: {}", self.field, self.reason),
            None => write!(f, "file: {}: {}", self.field, self.reason),
        }
    }
}

/// The outcome of an import (or of a dry run: what it would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Data rows in the file.
    pub rows: usize,
    /// Rows with at least one problem.
    pub bad_rows: usize,
    pub problems: Vec<Problem>,
    /// People new to the city.
    pub created: usize,
    /// People already known (by email) whose details changed.
    pub updated: usize,
    /// People already known with the same details.
    pub unchanged: usize,
    /// Enrollments in the season added (participants only).
    pub enrolled: usize,
    /// Participants already enrolled in the season, left as they were.
    pub already_enrolled: usize,
    /// Whether anything was written: false for a dry run, and when problems
    /// stopped the import.
    pub written: bool,
}

impl Report {
    /// Problems of the file itself (not of one row): nothing can be imported.
    pub fn file_problem(&self) -> bool {
        self.problems.iter().any(|p| p.row.is_none())
    }
}
