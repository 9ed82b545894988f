//! Report figures: what the rollups hold, how rows of them add up, and the
//! rules for showing them — a month range, groupings, suppression of small
//! groups of people, the median of cities. Pure, so the national and the city
//! report, the CSV download and the tests all follow one definition.

mod lines;
mod month;
mod search;
mod suppress;
#[cfg(test)]
mod suppress_props;

pub use month::YearMonth;
pub use suppress::{MIN_GROUP, RULE_VERSION, Shown, median_of, suppress_rows};

/// How report rows are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grouping {
    City,
    Month,
    /// One row per city and season (seasons belong to cities).
    Season,
}

macro_rules! fields {
    ($($variant:ident = $column:literal, $name:literal, $personal:literal;)*) => {
        /// One figure of a report, in the order of the rollup columns.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($variant),* }

        impl Field {
            /// Every figure, in column order.
            pub const ALL: [Field; FIELDS] = [$(Field::$variant),*];

            /// The rollup column holding the figure.
            pub const fn column(self) -> &'static str {
                match self { $(Field::$variant => $column),* }
            }

            /// The figure's name in GraphQL and CSV headers.
            pub const fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            /// Whether the figure counts people (or acts of people), so that a
            /// small value could point at someone and is suppressed.
            pub const fn counts_people(self) -> bool {
                match self { $(Field::$variant => $personal),* }
            }
        }
    };
}

/// How many figures there are.
pub const FIELDS: usize = 21;

fields! {
    Applicants = "applicants", "applicants", true;
    Accepted = "accepted", "accepted", true;
    Waitlisted = "waitlisted", "waitlisted", true;
    Rejected = "rejected", "rejected", true;
    Active = "active", "active", true;
    Completed = "completed", "completed", true;
    Withdrawn = "withdrawn", "withdrawn", true;
    SessionsHeld = "sessions_held", "sessionsHeld", false;
    SessionsCancelled = "sessions_cancelled", "sessionsCancelled", false;
    AttendanceMarks = "attendance_marks", "attendanceMarks", true;
    AttendancePresent = "attendance_present", "attendancePresent", true;
    ActiveCoaches = "active_coaches", "activeCoaches", true;
    SkillsPassed = "skills_passed", "skillsPassed", true;
    ShowsHeld = "shows_held", "showsHeld", false;
    TicketsSold = "tickets_sold", "ticketsSold", false;
    TicketsCheckedIn = "tickets_checked_in", "ticketsCheckedIn", false;
    TicketRevenue = "ticket_revenue_tiyn", "ticketRevenue", false;
    SponsorMoney = "sponsor_money_tiyn", "sponsorMoney", false;
    Expenses = "expenses_tiyn", "expenses", false;
    GivenToCauses = "given_to_causes_tiyn", "givenToCauses", false;
    Beneficiaries = "beneficiaries", "beneficiaries", true;
}

impl Field {
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The raw figures of one report row (or of one rollup row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures(pub [i64; FIELDS]);

impl Figures {
    pub fn get(&self, f: Field) -> i64 {
        self.0[f.index()]
    }

    /// Share of application outcomes that stayed: (active + completed) over
    /// (active + completed + withdrawn); `None` with nobody to count.
    pub fn retention(&self) -> Option<f64> {
        let stayed = self.get(Field::Active) + self.get(Field::Completed);
        ratio(stayed, stayed + self.get(Field::Withdrawn))
    }

    /// Present or late over all attendance marks.
    pub fn attendance_rate(&self) -> Option<f64> {
        ratio(
            self.get(Field::AttendancePresent),
            self.get(Field::AttendanceMarks),
        )
    }

    /// How many people the retention rate is computed over.
    pub fn retention_base(&self) -> i64 {
        self.get(Field::Active) + self.get(Field::Completed) + self.get(Field::Withdrawn)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    // Rounded to 4 places: a rate is shown, not computed with further.
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_in_column_order_and_named_once() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
        let mut names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS);
    }

    #[test]
    fn rates_round_and_need_a_base() {
        let mut f = Figures::default();
        assert_eq!(f.retention(), None);
        f.0[Field::Active.index()] = 2;
        f.0[Field::Withdrawn.index()] = 1;
        assert_eq!(f.retention(), Some(0.6667));
        f.0[Field::AttendanceMarks.index()] = 8;
        f.0[Field::AttendancePresent.index()] = 6;
        assert_eq!(f.attendance_rate(), Some(0.75));
    }
}
