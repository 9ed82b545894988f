//! Small-group suppression: a figure that counts fewer than [`MIN_GROUP`]
//! people is not shown outside the city, and neither is a second figure that
//! would let a reader recover it from the total.

use super::{FIELDS, Field, Figures};

/// The smallest number of people a shown figure may describe.
pub const MIN_GROUP: i64 = 5;

/// Figures as a reader sees them: a value, or `None` where suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    values: [Option<i64>; FIELDS],
    retention: Option<f64>,
    attendance_rate: Option<f64>,
    suppressed: Vec<&'static str>,
}

fn small(v: i64) -> bool {
    v > 0 && v < MIN_GROUP
}

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

    /// Shown with the small-group rule applied to this row alone.
    pub fn guarded(raw: &Figures) -> Self {
        let mut s = Self::open(raw);
        for f in Field::ALL {
            if f.counts_people() && small(raw.get(f)) {
                s.hide(f);
            }
        }
        if small(raw.retention_base()) {
            s.retention = None;
            s.suppressed.push("retention");
        }
        if small(raw.get(Field::AttendanceMarks)) {
            s.attendance_rate = None;
            s.suppressed.push("attendanceRate");
        }
        s
    }

    fn hide(&mut self, f: Field) {
        if self.values[f.index()].take().is_some() {
            self.suppressed.push(f.name());
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
/// hidden, and where a column would have exactly one hidden cell (which the
/// total minus the others would reveal), the next smallest cell is hidden too,
/// or the total when no other cell can be.
pub fn suppress_rows(rows: &[Figures], totals: &Figures) -> (Vec<Shown>, Shown) {
    let mut shown: Vec<Shown> = rows.iter().map(Shown::guarded).collect();
    let mut total = Shown::guarded(totals);
    for f in Field::ALL.into_iter().filter(|f| f.counts_people()) {
        let hidden = shown.iter().filter(|s| s.get(f).is_none()).count();
        if hidden != 1 || total.get(f).is_none() {
            continue;
        }
        let partner = shown
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.get(f).filter(|v| *v > 0).map(|v| (v, i)))
            .min();
        match partner {
            Some((_, i)) => shown[i].hide(f),
            None => total.hide(f),
        }
    }
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
    use proptest::prelude::*;

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
        let rows = [with(Field::Withdrawn, 3), with(Field::Withdrawn, 0)];
        let (_, total) = suppress_rows(&rows, &sum(&rows));
        assert_eq!(total.get(Field::Withdrawn), None);
    }

    #[test]
    fn median_of_odd_and_even() {
        let rows: Vec<_> = [1, 9, 5].map(|v| with(Field::TicketsSold, v)).to_vec();
        assert_eq!(median_of(&rows).get(Field::TicketsSold), 5);
        let rows: Vec<_> = [1, 9, 4, 6].map(|v| with(Field::TicketsSold, v)).to_vec();
        assert_eq!(median_of(&rows).get(Field::TicketsSold), 5);
    }

    proptest! {
        /// No hidden people-count can be recovered as the total minus the
        /// shown cells of its column.
        #[test]
        fn no_hidden_cell_is_recoverable(values in prop::collection::vec(0i64..12, 1..8)) {
            let rows: Vec<_> = values.iter().map(|v| with(Field::Active, *v)).collect();
            let (shown, total) = suppress_rows(&rows, &sum(&rows));
            for s in &shown {
                if let Some(v) = s.get(Field::Active) {
                    prop_assert!(v == 0 || v >= MIN_GROUP);
                }
            }
            let hidden: Vec<i64> = rows.iter().zip(&shown)
                .filter(|(_, s)| s.get(Field::Active).is_none())
                .map(|(r, _)| r.get(Field::Active)).collect();
            if hidden.len() == 1 {
                prop_assert!(total.get(Field::Active).is_none());
            }
        }
    }
}
