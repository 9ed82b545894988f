//! What a report request names: months (a `YYYY-MM` scalar), the grouping
//! and the order of rows.

use crate::plumbing::bad_input;
use async_graphql::{Enum, InputValueError, InputValueResult, Result, Scalar, ScalarType, Value};
use serde::{Deserialize, Serialize};
use soi_core::report::YearMonth;

/// The months a report covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: YearMonth,
    pub to: YearMonth,
}

impl Period {
    /// Checks the order and the length (at most ten years of months).
    pub fn new(from: YearMonth, to: YearMonth) -> std::result::Result<Self, String> {
        if to < from {
            return Err(format!("'to' ({to}) is before 'from' ({from})"));
        }
        if to.first_day() > from.first_day() + chrono::Months::new(120) {
            return Err("a report covers at most ten years".into());
        }
        Ok(Self { from, to })
    }
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub YearMonth);

/// A calendar month written `YYYY-MM` (e.g. `2026-03`). Reports cover whole
/// months in each city's time zone.
#[Scalar(
    name = "YearMonth",
    specified_by_url = "https://en.wikipedia.org/wiki/ISO_8601#Calendar_dates"
)]
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s.parse().map(Month).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// Checks the months of a request.
pub fn period(from: Month, to: Month) -> Result<Period> {
    Period::new(from.0, to.0).map_err(|m| bad_input("to", m))
}

/// How rows of a national report are keyed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
pub enum ReportGrouping {
    /// One row per city.
    City,
    /// One row per month (every city together).
    Month,
    /// One row per season of each city.
    Season,
}

/// How rows of a city's report are keyed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CityReportGrouping {
    /// One row per month.
    Month,
    /// One row per season.
    Season,
}

/// What rows are sorted by: their key, or one figure.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReportSortField {
    /// City slug, month or season start (the default).
    Key,
    Applicants,
    Accepted,
    Waitlisted,
    Rejected,
    Active,
    Completed,
    Withdrawn,
    Retention,
    SessionsHeld,
    SessionsCancelled,
    AttendanceMarks,
    AttendancePresent,
    AttendanceRate,
    ActiveCoaches,
    SkillsPassed,
    ShowsHeld,
    TicketsSold,
    TicketsCheckedIn,
    TicketRevenue,
    SponsorMoney,
    Expenses,
    GivenToCauses,
    Beneficiaries,
}

/// The order of report rows. Withheld figures sort last either way.
#[derive(async_graphql::InputObject, Clone, Copy, Debug)]
pub struct ReportSort {
    /// The figure (or the key) to sort by.
    pub field: ReportSortField,
    /// Largest first.
    #[graphql(default)]
    pub descending: bool,
}
