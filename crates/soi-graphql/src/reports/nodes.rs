//! What a report looks like to its reader: rows keyed by city, month or
//! season, each with the program's figures; figures withheld to protect small
//! groups are `null` and named in `suppressed`. Serializable, so a computed
//! report can be cached as it is shown.

use super::inputs::{ReportGrouping, ReportSortField};
use crate::shared::money::Tiyn;
use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};
use soi_core::report::{Field, Shown};

/// The figures of one report row.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReportFigures {
    /// Applications made in the period (by the month applied).
    pub applicants: Option<i64>,
    /// Of those, accepted and not yet started.
    pub accepted: Option<i64>,
    /// Of those, on the waiting list.
    pub waitlisted: Option<i64>,
    /// Of those, declined.
    pub rejected: Option<i64>,
    /// Of those, training now.
    pub active: Option<i64>,
    /// Of those, completed the season.
    pub completed: Option<i64>,
    /// Of those, withdrawn.
    pub withdrawn: Option<i64>,
    /// (active + completed) / (active + completed + withdrawn), 0–1; withheld
    /// while any of those counts is.
    pub retention: Option<f64>,
    /// Training sessions held (scheduled, attendance taken), by start month.
    pub sessions_held: Option<i64>,
    /// Training sessions cancelled.
    pub sessions_cancelled: Option<i64>,
    /// Attendance marks recorded.
    pub attendance_marks: Option<i64>,
    /// Marks of present or late.
    pub attendance_present: Option<i64>,
    /// Present or late over all marks, 0–1; withheld while either count is.
    pub attendance_rate: Option<f64>,
    /// Coaches who recorded attendance (over several months: the busiest month).
    pub active_coaches: Option<i64>,
    /// Skill elements passed.
    pub skills_passed: Option<i64>,
    /// Ice shows held (marked done), by the month of the show.
    pub shows_held: Option<i64>,
    /// Tickets sold and still valid, by the month of the event.
    pub tickets_sold: Option<i64>,
    /// Tickets scanned at the door.
    pub tickets_checked_in: Option<i64>,
    /// Ticket money received, net of refunds, by the month it moved.
    pub ticket_revenue: Tiyn,
    /// Sponsor money received (net of reversals).
    pub sponsor_money: Tiyn,
    /// Money spent.
    pub expenses: Tiyn,
    /// Money given to social causes.
    pub given_to_causes: Tiyn,
    /// People or households the causes helped, as the disbursements state.
    pub beneficiaries: Option<i64>,
    /// Names of the figures withheld because they would describe fewer than
    /// five people, or let such a figure be worked out (from a total, from a
    /// whole and its other parts, or a rate from the counts beside it).
    pub suppressed: Vec<String>,
}

impl From<&Shown> for ReportFigures {
    fn from(s: &Shown) -> Self {
        let money = |f: Field| Tiyn(s.get(f).unwrap_or(0));
        Self {
            applicants: s.get(Field::Applicants),
            accepted: s.get(Field::Accepted),
            waitlisted: s.get(Field::Waitlisted),
            rejected: s.get(Field::Rejected),
            active: s.get(Field::Active),
            completed: s.get(Field::Completed),
            withdrawn: s.get(Field::Withdrawn),
            retention: s.retention(),
            sessions_held: s.get(Field::SessionsHeld),
            sessions_cancelled: s.get(Field::SessionsCancelled),
            attendance_marks: s.get(Field::AttendanceMarks),
            attendance_present: s.get(Field::AttendancePresent),
            attendance_rate: s.attendance_rate(),
            active_coaches: s.get(Field::ActiveCoaches),
            skills_passed: s.get(Field::SkillsPassed),
            shows_held: s.get(Field::ShowsHeld),
            tickets_sold: s.get(Field::TicketsSold),
            tickets_checked_in: s.get(Field::TicketsCheckedIn),
            ticket_revenue: money(Field::TicketRevenue),
            sponsor_money: money(Field::SponsorMoney),
            expenses: money(Field::Expenses),
            given_to_causes: money(Field::GivenToCauses),
            beneficiaries: s.get(Field::Beneficiaries),
            suppressed: s.suppressed().iter().map(|n| (*n).to_owned()).collect(),
        }
    }
}

impl ReportFigures {
    /// A figure as a number for sorting and CSV: counts and money as they
    /// are, rates as they are; `None` where withheld.
    pub fn value(&self, by: ReportSortField) -> Option<f64> {
        use ReportSortField as S;
        let n = |v: Option<i64>| v.map(|v| v as f64);
        match by {
            S::Key => None,
            S::Applicants => n(self.applicants),
            S::Accepted => n(self.accepted),
            S::Waitlisted => n(self.waitlisted),
            S::Rejected => n(self.rejected),
            S::Active => n(self.active),
            S::Completed => n(self.completed),
            S::Withdrawn => n(self.withdrawn),
            S::Retention => self.retention,
            S::SessionsHeld => n(self.sessions_held),
            S::SessionsCancelled => n(self.sessions_cancelled),
            S::AttendanceMarks => n(self.attendance_marks),
            S::AttendancePresent => n(self.attendance_present),
            S::AttendanceRate => self.attendance_rate,
            S::ActiveCoaches => n(self.active_coaches),
            S::SkillsPassed => n(self.skills_passed),
            S::ShowsHeld => n(self.shows_held),
            S::TicketsSold => n(self.tickets_sold),
            S::TicketsCheckedIn => n(self.tickets_checked_in),
            S::TicketRevenue => Some(self.ticket_revenue.0 as f64),
            S::SponsorMoney => Some(self.sponsor_money.0 as f64),
            S::Expenses => Some(self.expenses.0 as f64),
            S::GivenToCauses => Some(self.given_to_causes.0 as f64),
            S::Beneficiaries => n(self.beneficiaries),
        }
    }
}

/// A city as a report row names it.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReportCity {
    /// The city's slug.
    pub slug: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
}

/// A season as a report row names it.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReportSeason {
    /// The season's id (of its city).
    pub id: async_graphql::ID,
    /// Its title; `null` for figures that belong to no season (sponsor
    /// money, expenses, gifts to causes, skills).
    pub title: Option<String>,
    /// Its first day.
    pub starts_on: Option<crate::shared::date::Date>,
}

/// One row of a report: its key and its figures.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// The city (grouping by city or season).
    pub city: Option<ReportCity>,
    /// The month, `YYYY-MM` (grouping by month).
    pub month: Option<String>,
    /// The season (grouping by season).
    pub season: Option<ReportSeason>,
    /// The row's figures.
    pub figures: ReportFigures,
}

/// The program's figures across cities, for the national oversight.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NationalReport {
    /// First month covered, `YYYY-MM`.
    pub from: String,
    /// Last month covered, `YYYY-MM`.
    pub to: String,
    /// How the rows are keyed.
    pub group_by: ReportGrouping,
    /// Every city together.
    pub totals: ReportFigures,
    /// One row per key, in the order asked for.
    pub rows: Vec<ReportRow>,
}

/// A city's own figures, with the national median to compare against.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CityReport {
    /// First month covered, `YYYY-MM`.
    pub from: String,
    /// Last month covered, `YYYY-MM`.
    pub to: String,
    /// The city.
    pub city: ReportCity,
    /// The city's figures over the whole period.
    pub totals: ReportFigures,
    /// One row per month or season.
    pub rows: Vec<ReportRow>,
    /// The median over cities of each figure for the same period; `null`
    /// while fewer than three cities report (a median of one or two would
    /// show another city's figures).
    pub national_median: Option<ReportFigures>,
    /// How many cities the median is taken over.
    pub cities_compared: i32,
}
