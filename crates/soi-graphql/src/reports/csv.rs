//! Reports as CSV (RFC 4180, comma-separated, CRLF line ends): one line per
//! row, then the totals (and for a city, the national median). Withheld
//! figures are empty cells and named in the last column. Text a spreadsheet
//! would run as a formula is prefixed with `'`.

use super::inputs::*;
use super::nodes::*;
use std::fmt::Write;

pub(super) const FIGURES: [ReportSortField; 23] = {
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

pub(super) const HEADER: &str = "row,city,month,season,applicants,accepted,waitlisted,rejected,active,\
completed,withdrawn,retention,sessionsHeld,sessionsCancelled,attendanceMarks,attendancePresent,\
attendanceRate,activeCoaches,skillsPassed,showsHeld,ticketsSold,ticketsCheckedIn,\
ticketRevenueTiyn,sponsorMoneyTiyn,expensesTiyn,givenToCausesTiyn,beneficiaries,suppressed";

/// One line of a download (CSV or XLSX): its kind (`row`, `total`,
/// `national_median`), its key and its figures.
pub(super) struct Line<'a> {
    pub kind: &'static str,
    row: Option<&'a ReportRow>,
    pub figures: &'a ReportFigures,
}

impl Line<'_> {
    pub fn city(&self) -> &str {
        self.row
            .and_then(|r| r.city.as_ref())
            .map_or("", |c| c.slug.as_str())
    }

    pub fn month(&self) -> &str {
        self.row
            .and_then(|r| r.month.as_deref())
            .unwrap_or_default()
    }

    pub fn season(&self) -> &str {
        self.row
            .and_then(|r| r.season.as_ref())
            .map_or("", |s| s.title.as_deref().unwrap_or("(no season)"))
    }

    /// Withheld figures, `;`-separated.
    pub fn suppressed(&self) -> String {
        self.figures.suppressed.join(";")
    }
}

/// The national report's lines: its rows, then the totals.
pub(super) fn national_lines(r: &NationalReport) -> Vec<Line<'_>> {
    let rows = r.rows.iter().map(|row| Line {
        kind: "row",
        row: Some(row),
        figures: &row.figures,
    });
    rows.chain([Line {
        kind: "total",
        row: None,
        figures: &r.totals,
    }])
    .collect()
}

/// A city's report's lines: its rows, its totals, and the national median.
pub(super) fn city_lines(r: &CityReport) -> Vec<Line<'_>> {
    let rows = r.rows.iter().map(|row| Line {
        kind: "row",
        row: Some(row),
        figures: &row.figures,
    });
    let total = Line {
        kind: "total",
        row: None,
        figures: &r.totals,
    };
    let median = r.national_median.as_ref().map(|m| Line {
        kind: "national_median",
        row: None,
        figures: m,
    });
    rows.chain([total]).chain(median).collect()
}

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

fn write_lines(lines: &[Line<'_>]) -> String {
    let mut out = format!("{HEADER}\r\n");
    for l in lines {
        let _ = write!(
            out,
            "{},{},{},{}",
            l.kind,
            cell(l.city()),
            l.month(),
            cell(l.season())
        );
        for by in FIGURES {
            let _ = write!(out, ",{}", number(l.figures, by));
        }
        let _ = write!(out, ",{}\r\n", cell(&l.suppressed()));
    }
    out
}

/// The national report as CSV.
pub fn national_csv(r: &NationalReport) -> String {
    write_lines(&national_lines(r))
}

/// A city's report as CSV: its rows, its totals, and the national median.
pub fn city_csv(r: &CityReport) -> String {
    write_lines(&city_lines(r))
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
