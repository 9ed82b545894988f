//! Where exported rows go: CSV to any writer, XLSX to a file in
//! constant-memory mode. A sink takes one row at a time and keeps at most a
//! small buffer; `drain` lets a sink that forwards bytes (an HTTP body) hand
//! them on, with back-pressure, every few hundred rows.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;

/// One value of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// Local time in the city's zone.
    Time(NaiveDateTime),
    Empty,
}

impl Cell {
    pub fn opt_text(v: Option<&str>) -> Cell {
        v.map_or(Cell::Empty, |s| Cell::Text(s.to_owned()))
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] soi_db::Error),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("more rows than one XLSX sheet holds (1,048,576): export as CSV or a shorter period")]
    TooManyRows,
    /// The reader went away (an HTTP client disconnected).
    #[error("the receiver went away")]
    Closed,
}

/// Receives an export row by row.
pub trait Sink: Send {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError>;

    /// Hands buffered output on; called every few hundred rows and at the end.
    fn drain(&mut self) -> impl Future<Output = Result<(), ExportError>> + Send {
        async { Ok(()) }
    }
}

/// CSV, UTF-8 with a BOM (so spreadsheet programs read Cyrillic right).
pub struct CsvSink<W: Write + Send> {
    out: csv::Writer<W>,
}

impl<W: Write + Send> CsvSink<W> {
    pub fn new(mut w: W) -> Result<Self, ExportError> {
        w.write_all("\u{feff}".as_bytes())?;
        Ok(Self {
            out: csv::Writer::from_writer(w),
        })
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> Result<W, ExportError> {
        self.out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

impl CsvSink<Vec<u8>> {
    /// The bytes written since the last call (for a streamed body).
    pub fn take_bytes(&mut self) -> Result<Vec<u8>, ExportError> {
        let fresh = csv::Writer::from_writer(Vec::new());
        let old = std::mem::replace(&mut self.out, fresh);
        old.into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

impl<W: Write + Send> Sink for CsvSink<W> {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        for c in cells {
            match c {
                Cell::Text(s) => self.out.write_field(s),
                Cell::Int(i) => self.out.write_field(i.to_string()),
                Cell::Date(d) => self.out.write_field(d.to_string()),
                Cell::Time(t) => self.out.write_field(t.format("%Y-%m-%d %H:%M").to_string()),
                Cell::Empty => self.out.write_field(""),
            }
            .map_err(|e| ExportError::Io(e.into()))?;
        }
        self.out
            .write_record(None::<&[u8]>)
            .map_err(|e| ExportError::Io(e.into()))
    }
}

/// A whole number as a spreadsheet number: exact up to 2^53, far above any
/// amount in tiyn the program will see.
#[allow(clippy::cast_precision_loss)]
fn as_number(i: i64) -> f64 {
    i as f64
}

/// Rows an XLSX sheet holds, header included.
const XLSX_ROWS: u32 = 1_048_576;

/// XLSX written in constant-memory mode: each row goes to a temp file as it
/// comes; [`XlsxSink::finish`] zips the workbook into `path`.
pub struct XlsxSink {
    book: Workbook,
    path: PathBuf,
    next_row: u32,
    date: Format,
    time: Format,
}

impl XlsxSink {
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, ExportError> {
        let mut book = Workbook::new();
        book.add_worksheet_with_constant_memory()?;
        Ok(Self {
            book,
            path: path.into(),
            next_row: 0,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        })
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.book.save(&self.path)?;
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        if self.next_row >= XLSX_ROWS {
            return Err(ExportError::TooManyRows);
        }
        let r = self.next_row;
        let sheet = self.book.worksheet_from_index(0)?;
        for (c, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                Cell::Int(i) => sheet.write_number(r, c, as_number(*i)).map(|_| ()),
                Cell::Date(d) => sheet
                    .write_date_with_format(r, c, d, &self.date)
                    .map(|_| ()),
                Cell::Time(t) => sheet
                    .write_datetime_with_format(r, c, t, &self.time)
                    .map(|_| ()),
                Cell::Empty => Ok(()),
            }?;
        }
        self.next_row += 1;
        Ok(())
    }
}
