//! Reports as XLSX: the same lines and columns as the CSV download (one
//! sheet, the header in bold), figures as numbers, withheld ones as empty
//! cells named in the last column. Text is written as text, never run as a
//! formula.

use super::csv::{FIGURES, HEADER, Line, city_lines, national_lines};
use super::inputs::ReportSortField;
use super::nodes::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn write_lines(lines: &[Line<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("report")?;
    let bold = Format::new().set_bold();
    let rate = Format::new().set_num_format("0.00%");
    for (c, name) in (0u16..).zip(HEADER.split(',')) {
        sheet.write_string_with_format(0, c, name, &bold)?;
    }
    for (r, line) in (1u32..).zip(lines) {
        sheet.write_string(r, 0, line.kind)?;
        sheet.write_string(r, 1, line.city())?;
        sheet.write_string(r, 2, line.month())?;
        sheet.write_string(r, 3, line.season())?;
        for (c, by) in (4u16..).zip(FIGURES) {
            match (by, line.figures.value(by)) {
                (_, None) => {}
                (ReportSortField::Retention | ReportSortField::AttendanceRate, Some(v)) => {
                    sheet.write_number_with_format(r, c, v, &rate)?;
                }
                (_, Some(v)) => {
                    sheet.write_number(r, c, v)?;
                }
            }
        }
        sheet.write_string(r, 4 + FIGURES.len() as u16, line.suppressed())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The national report as an XLSX workbook.
pub fn national_xlsx(r: &NationalReport) -> Result<Vec<u8>, XlsxError> {
    write_lines(&national_lines(r))
}

/// A city's report as an XLSX workbook: its rows, totals and the national median.
pub fn city_xlsx(r: &CityReport) -> Result<Vec<u8>, XlsxError> {
    write_lines(&city_lines(r))
}
