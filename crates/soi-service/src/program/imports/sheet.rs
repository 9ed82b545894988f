//! A spreadsheet file as rows of text: CSV (UTF-8, with or without a BOM,
//! `,` or `;` found from the header line) or XLSX (the first worksheet).
//! Row numbers are those a person sees when they open the file, so a report
//! can point at a row. No database here.

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// One data row: its number in the file and its cells as trimmed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<String>,
}

/// The header (first non-empty row) and the data rows below it; blank rows
/// are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub header: Vec<String>,
    pub header_row: u32,
    pub rows: Vec<Row>,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the file is empty: it has no header row")]
    Empty,
    #[error("the file is neither CSV (UTF-8 text) nor XLSX")]
    WrongType,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
}

const BOM: &str = "\u{feff}";

impl Sheet {
    /// Reads CSV or XLSX from its bytes; the content decides, not the name.
    pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
        if bytes.starts_with(b"PK\x03\x04") {
            return Self::from_rows(xlsx_rows(bytes)?);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| SheetError::WrongType)?;
        // Text with NULs or other control bytes is a binary file read as text.
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(SheetError::WrongType);
        }
        Self::from_rows(csv_rows(text.strip_prefix(BOM).unwrap_or(text))?)
    }

    fn from_rows(rows: Vec<(u32, Vec<String>)>) -> Result<Sheet, SheetError> {
        let mut rows = rows
            .into_iter()
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
        let (header_row, header) = rows.next().ok_or(SheetError::Empty)?;
        Ok(Sheet {
            header,
            header_row,
            rows: rows.map(|(number, cells)| Row { number, cells }).collect(),
        })
    }
}

/// `;` when the header line has more of them than commas (spreadsheets in
/// Russian and Kazakh locales save CSV with `;`), `,` otherwise.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn csv_rows(text: &str) -> Result<Vec<(u32, Vec<String>)>, SheetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SheetError::Unreadable(e.to_string()))?;
        // The line the record starts on, as an editor shows it: the reader's
        // position may sit on blank lines it skipped, so step over them.
        let at = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let start = text.get(at..).map_or(at, |rest| {
            at + (rest.len() - rest.trim_start_matches(['\r', '\n']).len())
        });
        let newlines = text
            .get(..start)
            .map_or(0, |before| before.matches('\n').count());
        let line = u32::try_from(newlines + 1).unwrap_or(u32::MAX);
        out.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
    }
    Ok(out)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, SheetError> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| SheetError::WrongType)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    // The range starts at its first used cell; Excel numbers rows from 1.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let pad = usize::try_from(first_col).unwrap_or(0);
    Ok(range
        .rows()
        .zip(first_row + 1..)
        .map(|(cells, number)| {
            let mut row = vec![String::new(); pad];
            row.extend(cells.iter().map(cell_text));
            (number, row)
        })
        .collect())
}

/// A cell as the text a person would type: whole numbers without `.0`
/// (phones typed as numbers), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => d.as_f64().to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_semicolon_csv_with_a_bom_reads_as_rows_with_line_numbers() {
        let s = Sheet::read("\u{feff}Имя;Email\n\nӘлия;a@b.kz\n".as_bytes()).expect("csv");
        assert_eq!(s.header, ["Имя", "Email"]);
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].number, 3);
        assert_eq!(s.rows[0].cells, ["Әлия", "a@b.kz"]);
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert_eq!(Sheet::read(b"%PDF-1.7\x00\x01"), Err(SheetError::WrongType));
        assert_eq!(Sheet::read(b"\n\n"), Err(SheetError::Empty));
        assert_eq!(Sheet::read(b"PK\x03\x04junk"), Err(SheetError::WrongType));
    }
}
