//! Reports as CSV (RFC 4180, comma-separated, CRLF line ends): one line per
//! row, then the totals (and for a city, the national median). Withheld
//! figures are empty cells and named in the last column. Text a spreadsheet
//! would run as a formula is prefixed with `'`.

use super::inputs::*;
use super::nodes::*;
use std::fmt::Write;

const FIGURES: [ReportSortField; 23] = {
    use ReportSortField as S;
    [
        S::Applicants,
        S::Accepted,
        S::Waitlisted,
        S::Rejected,
        S::Active,
        S::Completed,
        S::Withdrawn,
        S::Retention,
        S::SessionsHeld,
        S::SessionsCancelled,
        S::AttendanceMarks,
        S::AttendancePresent,
        S::AttendanceRate,
        S::ActiveCoaches,
        S::SkillsPassed,
        S::ShowsHeld,
        S::TicketsSold,
        S::TicketsCheckedIn,
        S::TicketRevenue,
        S::SponsorMoney,
        S::Expenses,
        S::GivenToCauses,
        S::Beneficiaries,
    ]
};

const HEADER: &str = "row,city,month,season,applicants,accepted,waitlisted,rejected,active,\
completed,withdrawn,retention,sessionsHeld,sessionsCancelled,attendanceMarks,attendancePresent,\
attendanceRate,activeCoaches,skillsPassed,showsHeld,ticketsSold,ticketsCheckedIn,\
ticketRevenueTiyn,sponsorMoneyTiyn,expensesTiyn,givenToCausesTiyn,beneficiaries,suppressed";

fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn number(f: &ReportFigures, by: ReportSortField) -> String {
    match (by, f.value(by)) {
        (_, None) => String::new(),
        (ReportSortField::Retention | ReportSortField::AttendanceRate, Some(v)) => {
            format!("{v:.4}")
        }
        (_, Some(v)) => format!("{}", v as i64),
    }
}

fn line(out: &mut String, kind: &str, row: Option<&ReportRow>, f: &ReportFigures) {
    let city = row
        .and_then(|r| r.city.as_ref())
        .map(|c| cell(&c.slug))
        .unwrap_or_default();
    let month = row.and_then(|r| r.month.clone()).unwrap_or_default();
    let season = row
        .and_then(|r| r.season.as_ref())
        .map(|s| cell(s.title.as_deref().unwrap_or("(no season)")))
        .unwrap_or_default();
    let _ = write!(out, "{kind},{city},{month},{season}");
    for by in FIGURES {
        let _ = write!(out, ",{}", number(f, by));
    }
    let _ = write!(out, ",{}\r\n", cell(&f.suppressed.join(";")));
}

/// The national report as CSV.
pub fn national_csv(r: &NationalReport) -> String {
    let mut out = format!("{HEADER}\r\n");
    for row in &r.rows {
        line(&mut out, "row", Some(row), &row.figures);
    }
    line(&mut out, "total", None, &r.totals);
    out
}

/// A city's report as CSV: its rows, its totals, and the national median.
pub fn city_csv(r: &CityReport) -> String {
    let mut out = format!("{HEADER}\r\n");
    for row in &r.rows {
        line(&mut out, "row", Some(row), &row.figures);
    }
    line(&mut out, "total", None, &r.totals);
    if let Some(m) = &r.national_median {
        line(&mut out, "national_median", None, m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_has_a_column_per_figure() {
        assert_eq!(HEADER.split(',').count(), 4 + FIGURES.len() + 1);
    }

    #[test]
    fn formulas_and_separators_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
