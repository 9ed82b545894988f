//! Small-group suppression: a figure that counts fewer than [`MIN_GROUP`]
//! people is not shown outside the city, and neither is any figure that
//! would let a reader work one out: a second cell of a column whose total
//! would give it away, a second part of a row whose whole would (applicants
//! and their outcomes, attendance marks and the present ones, where the
//! unshown remainder counts too), and a rate over a withheld count (a rate
//! times its shown base, or its complement, would give the count back).

use super::lines::{Table, small};
use super::{FIELDS, Field, Figures};

/// The smallest number of people a shown figure may describe.
pub const MIN_GROUP: i64 = 5;

/// The version of the rule, part of the key of every cached report that
/// shows suppressed figures, so that none computed under an older rule is
/// served after an upgrade.
pub const RULE_VERSION: &str = "2";

/// Figures as a reader sees them: a value, or `None` where suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    values: [Option<i64>; FIELDS],
    retention: Option<f64>,
    attendance_rate: Option<f64>,
    suppressed: Vec<&'static str>,
}

/// The counts each rate is computed from: shown only while all of them are,
/// so that a rate never tells more than the counts beside it.
const RETENTION_OF: [Field; 3] = [Field::Active, Field::Completed, Field::Withdrawn];
const ATTENDANCE_RATE_OF: [Field; 2] = [Field::AttendanceMarks, Field::AttendancePresent];

impl Shown {
    /// Everything shown: a city's own figures for its own admins.
    pub fn open(raw: &Figures) -> Self {
        Self {
            values: raw.0.map(Some),
            retention: raw.retention(),
            attendance_rate: raw.attendance_rate(),
            suppressed: Vec::new(),
        }
    }

    /// Shown with each figure judged on its own: small counts hidden, and
    /// rates over them. For figures that do not add up to one another (the
    /// median of cities); a report's rows and totals go through
    /// [`suppress_rows`].
    pub fn guarded(raw: &Figures) -> Self {
        let mut s = Self::open(raw);
        for f in Field::ALL {
            if f.counts_people() && small(raw.get(f)) {
                s.hide(f);
            }
        }
        s.hide_rates_over_hidden();
        s
    }

    /// Also withholds every figure `other` withholds, and the rates over
    /// them: a breakdown of one row (a city's months) shows nothing that
    /// the row itself hides.
    pub fn withhold_as(&mut self, other: &Shown) {
        for f in Field::ALL {
            if other.get(f).is_none() {
                self.hide(f);
            }
        }
        if other.suppressed.contains(&"retention") && self.retention.take().is_some() {
            self.suppressed.push("retention");
        }
        if other.suppressed.contains(&"attendanceRate") && self.attendance_rate.take().is_some() {
            self.suppressed.push("attendanceRate");
        }
        self.hide_rates_over_hidden();
    }

    fn hide(&mut self, f: Field) {
        if self.values[f.index()].take().is_some() {
            self.suppressed.push(f.name());
        }
    }

    fn hide_rates_over_hidden(&mut self) {
        let hidden = |s: &Self, of: &[Field]| of.iter().any(|f| s.get(*f).is_none());
        if self.retention.is_some() && hidden(self, &RETENTION_OF) {
            self.retention = None;
            self.suppressed.push("retention");
        }
        if self.attendance_rate.is_some() && hidden(self, &ATTENDANCE_RATE_OF) {
            self.attendance_rate = None;
            self.suppressed.push("attendanceRate");
        }
    }

    /// The figure, or `None` where suppressed.
    pub fn get(&self, f: Field) -> Option<i64> {
        self.values[f.index()]
    }

    pub fn retention(&self) -> Option<f64> {
        self.retention
    }

    pub fn attendance_rate(&self) -> Option<f64> {
        self.attendance_rate
    }

    /// Names of the figures withheld, in the order they were withheld.
    pub fn suppressed(&self) -> &[&'static str] {
        &self.suppressed
    }
}

/// Applies the rule to report rows and their totals: each small cell is
/// hidden; wherever a line (a column and its total, a row's whole and its
/// parts) would leave one withheld cell or small remainder to be worked out,
/// a second cell of the line is hidden, the smallest positive one, the whole
/// last; then every rate over a hidden count is withheld. The totals are
/// protected first, on their own, and a column takes its second cell from the
/// rows, so the totals read alike whatever the rows are keyed by, except
/// where no row could take it (the rare table where only a total can hide).
pub fn suppress_rows(rows: &[Figures], totals: &Figures) -> (Vec<Shown>, Shown) {
    let raw: Vec<&Figures> = rows.iter().chain([totals]).collect();
    let mut table = Table::new(&raw);
    table.protect();
    let mut shown: Vec<Shown> = raw.iter().map(|r| Shown::open(r)).collect();
    for &(t, c) in &table.order {
        shown[t].hide(Field::ALL[c]);
    }
    for s in &mut shown {
        s.hide_rates_over_hidden();
    }
    let total = shown.pop().unwrap_or_else(|| Shown::open(totals));
    (shown, total)
}

/// The median of each figure over the given rows (the lower of the two middle
/// values' mean, rounded down, for an even count); zeros with no rows.
pub fn median_of(rows: &[Figures]) -> Figures {
    let mut out = Figures::default();
    if rows.is_empty() {
        return out;
    }
    for f in Field::ALL {
        let mut v: Vec<i64> = rows.iter().map(|r| r.get(f)).collect();
        v.sort_unstable();
        let n = v.len();
        out.0[f.index()] = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]).div_euclid(2)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: Field, v: i64) -> Figures {
        let mut x = Figures::default();
        x.0[f.index()] = v;
        x
    }

    fn sum(rows: &[Figures]) -> Figures {
        let mut t = Figures::default();
        for r in rows {
            for i in 0..FIELDS {
                t.0[i] += r.0[i];
            }
        }
        t
    }

    #[test]
    fn small_people_counts_hide_and_money_stays() {
        let mut raw = with(Field::Applicants, 3);
        raw.0[Field::TicketRevenue.index()] = 2;
        raw.0[Field::Accepted.index()] = 0;
        let s = Shown::guarded(&raw);
        assert_eq!(s.get(Field::Applicants), None);
        assert_eq!(s.get(Field::Accepted), Some(0));
        assert_eq!(s.get(Field::TicketRevenue), Some(2));
        assert!(s.suppressed().contains(&"applicants"));
    }

    #[test]
    fn a_lone_hidden_cell_takes_a_partner() {
        let rows = [
            with(Field::Applicants, 2),
            with(Field::Applicants, 40),
            with(Field::Applicants, 9),
        ];
        let (shown, total) = suppress_rows(&rows, &sum(&rows));
        assert_eq!(shown[0].get(Field::Applicants), None);
        assert_eq!(shown[2].get(Field::Applicants), None);
        assert_eq!(shown[1].get(Field::Applicants), Some(40));
        assert_eq!(total.get(Field::Applicants), Some(51));
    }

    #[test]
    fn with_no_partner_the_total_hides() {
        let rows = [
            figures(&[(Field::Applicants, 3), (Field::Withdrawn, 3)]),
            Figures::default(),
        ];
        let (_, total) = suppress_rows(&rows, &sum(&rows));
        assert_eq!(total.get(Field::Withdrawn), None);
    }

    #[test]
    fn a_breakdown_withholds_what_its_row_withholds() {
        let row = Shown::guarded(&figures(&[(Field::Applicants, 3), (Field::Active, 40)]));
        let mut month = Shown::open(&figures(&[(Field::Applicants, 2), (Field::Active, 20)]));
        month.withhold_as(&row);
        assert_eq!(month.get(Field::Applicants), None);
        assert_eq!(month.get(Field::Active), Some(20));
        assert_eq!(month.suppressed(), ["applicants"]);
        let rates = Shown::guarded(&figures(&[(Field::Active, 3), (Field::Completed, 9)]));
        let mut month = Shown::open(&figures(&[(Field::Active, 9), (Field::Completed, 9)]));
        month.withhold_as(&rates);
        assert_eq!((month.get(Field::Active), month.retention()), (None, None));
        assert!(month.suppressed().contains(&"retention"));
    }

    #[test]
    fn median_of_odd_and_even() {
        let rows: Vec<_> = [1, 9, 5].map(|v| with(Field::TicketsSold, v)).to_vec();
        assert_eq!(median_of(&rows).get(Field::TicketsSold), 5);
        let rows: Vec<_> = [1, 9, 4, 6].map(|v| with(Field::TicketsSold, v)).to_vec();
        assert_eq!(median_of(&rows).get(Field::TicketsSold), 5);
    }

    /// One row beside a larger one, as a report by city shows them.
    fn beside_a_larger_city(row: Figures) -> (Shown, Shown) {
        let mut big = Figures::default();
        for f in Field::ALL {
            big.0[f.index()] = row.get(f) * 10 + 50;
        }
        // Each whole is its parts (the lines suppression keeps), marks also
        // the absent ones.
        for g in &crate::report::lines::GROUPS {
            big.0[g.whole.index()] = g.parts.iter().map(|f| big.get(*f)).sum();
        }
        big.0[Field::AttendanceMarks.index()] += 50;
        let rows = [row, big];
        let (shown, total) = suppress_rows(&rows, &sum(&rows));
        (shown[0].clone(), total)
    }

    fn figures(values: &[(Field, i64)]) -> Figures {
        let mut x = Figures::default();
        for (f, v) in values {
            x.0[f.index()] = *v;
        }
        x
    }

    #[test]
    fn an_attendance_rate_is_withheld_where_times_the_marks_it_gives_a_hidden_present_count() {
        let (row, _) = beside_a_larger_city(figures(&[
            (Field::AttendanceMarks, 40),
            (Field::AttendancePresent, 3),
        ]));
        assert_eq!(row.get(Field::AttendancePresent), None);
        // 0.075 × 40 would be the 3 withheld.
        assert_eq!(row.get(Field::AttendanceMarks), Some(40));
        assert_eq!(row.attendance_rate(), None);
        assert!(row.suppressed().contains(&"attendanceRate"));
    }

    #[test]
    fn a_retention_rate_is_withheld_where_with_the_shown_outcomes_it_gives_a_hidden_withdrawn_count()
     {
        let (row, _) = beside_a_larger_city(figures(&[
            (Field::Applicants, 33),
            (Field::Active, 20),
            (Field::Completed, 10),
            (Field::Withdrawn, 3),
        ]));
        assert_eq!(row.get(Field::Withdrawn), None);
        // 30 / 0.9091 − 30 would be the 3 withheld.
        assert_eq!(row.retention(), None);
        assert!(row.suppressed().contains(&"retention"));
    }

    #[test]
    fn a_hidden_outcome_is_not_given_away_by_the_applicants_minus_the_other_outcomes() {
        let (row, _) = beside_a_larger_city(figures(&[
            (Field::Applicants, 40),
            (Field::Active, 30),
            (Field::Completed, 7),
            (Field::Withdrawn, 3),
        ]));
        assert_eq!(row.get(Field::Withdrawn), None);
        let hidden = [Field::Applicants, Field::Active, Field::Completed]
            .iter()
            .filter(|f| row.get(**f).is_none())
            .count();
        assert_eq!(hidden, 1, "{row:?}");
        // The smallest positive outcome goes with it.
        assert_eq!(row.get(Field::Completed), None);
    }

    #[test]
    fn a_few_absent_marks_are_not_given_away_by_the_marks_minus_the_present_ones() {
        let (row, total) = beside_a_larger_city(figures(&[
            (Field::AttendanceMarks, 40),
            (Field::AttendancePresent, 38),
        ]));
        assert!(
            row.get(Field::AttendanceMarks).is_none()
                || row.get(Field::AttendancePresent).is_none(),
            "{row:?}"
        );
        assert_eq!(row.attendance_rate(), None);
        assert_eq!(
            total.get(Field::AttendanceMarks),
            Some(40 + 38 * 10 + 50 + 50)
        );
    }

    #[test]
    fn a_few_pending_applications_are_not_given_away_by_the_applicants_minus_the_outcomes() {
        let (row, _) = beside_a_larger_city(figures(&[
            (Field::Applicants, 40),
            (Field::Accepted, 10),
            (Field::Active, 20),
            (Field::Completed, 7),
        ]));
        let outcomes = [
            Field::Applicants,
            Field::Accepted,
            Field::Active,
            Field::Completed,
        ];
        assert!(outcomes.iter().any(|f| row.get(*f).is_none()), "{row:?}");
    }

    #[test]
    fn a_few_pending_applications_in_the_totals_hide_an_outcome_there_too() {
        let row = figures(&[
            (Field::Applicants, 40),
            (Field::Accepted, 10),
            (Field::Active, 28),
            (Field::AttendanceMarks, 40),
            (Field::AttendancePresent, 38),
        ]);
        let (_, total) = suppress_rows(&[row, row], &sum(&[row, row]));
        assert_eq!(total.get(Field::Accepted), None, "{total:?}");
        assert_eq!(total.get(Field::Applicants), Some(80));
        assert_eq!(total.attendance_rate(), None, "{total:?}");
    }
}
