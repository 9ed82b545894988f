//! The kept search hides exactly what the search from nothing hid: the
//! protection as it was (every round: what is known from the start rebuilt,
//! passes over every line until none gives anything, then the first leak
//! closed strictly, else at all) is kept here, and on random tables both
//! hide the same cells in the same order — the totals' own protection
//! included.

use super::{At, Table, lines};
use crate::report::suppress_props::sum;
use crate::report::{FIELDS, Field, Figures};
use proptest::prelude::*;

impl Table {
    /// The protection as it was before [`super::Search`].
    fn protect_from_nothing(&mut self) {
        let lines = lines(self.values.len() - 1);
        loop {
            let leaks = self.leaks_from_nothing(&lines);
            let fixed = [true, false].into_iter().any(|strict| {
                leaks
                    .iter()
                    .any(|(cell, line)| self.hide_beside(&lines[*line], *cell, strict))
            });
            if !fixed {
                break;
            }
        }
    }

    fn leaks_from_nothing(&self, lines: &[Vec<At>]) -> Vec<(At, usize)> {
        let rows = self.values.len();
        let mut known: Vec<[bool; super::CELLS]> = (0..rows)
            .map(|t| std::array::from_fn(|c| self.known_at_start((t, c))))
            .collect();
        let mut leaks = Vec::new();
        loop {
            let mut changed = false;
            for (i, line) in lines.iter().enumerate() {
                let mut unknown = line.iter().filter(|(t, c)| !known[*t][*c]);
                if let (Some(&cell), None) = (unknown.next(), unknown.next()) {
                    if self.sensitive(cell) {
                        leaks.push((cell, i));
                    }
                    known[cell.0][cell.1] = true;
                    changed = true;
                }
            }
            if !changed {
                return leaks;
            }
        }
    }
}

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 1i64..crate::report::MIN_GROUP, 5i64..40]
}

/// A row whose wholes are at least their parts, as the rollups' are.
fn row() -> impl Strategy<Value = Figures> {
    (prop::collection::vec(count(), FIELDS), count(), count()).prop_map(|(all, pending, absent)| {
        let mut f = Figures::default();
        f.0.copy_from_slice(&all);
        for g in &super::GROUPS {
            let parts: i64 = g.parts.iter().map(|p| f.get(*p)).sum();
            let rest = if g.whole == Field::Applicants {
                pending
            } else {
                absent
            };
            f.0[g.whole.index()] = parts + rest;
        }
        f
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_kept_search_hides_exactly_what_the_search_from_nothing_hid(
        rows in prop::collection::vec(row(), 0..40)
    ) {
        let totals = sum(&rows);
        let raw: Vec<&Figures> = rows.iter().chain([&totals]).collect();
        let mut before = Table::new_with(&raw, Table::protect_from_nothing);
        before.protect_from_nothing();
        let mut now = Table::new(&raw);
        now.protect();
        prop_assert_eq!(&before.order, &now.order);
        // Every small count is hidden.
        for (t, r) in raw.iter().enumerate() {
            for f in Field::ALL.iter().filter(|f| f.counts_people() && super::small(r.get(**f))) {
                prop_assert!(now.hidden[t][f.index()], "row {} {:?} is small but shown", t, f);
            }
        }
    }
}
