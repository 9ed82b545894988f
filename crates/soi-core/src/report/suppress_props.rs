//! The property of suppression: nothing withheld can be worked out from what
//! a report shows. The reader here knows how the figures relate (outcomes
//! and the pending applications add up to the applicants, present and absent
//! marks to the marks, every column to its total, each rate to its counts)
//! and where no application is pending (a closed season has none); it keeps
//! working out what any one line (a total minus the other cells), rate
//! (times its shown base, or its complement) or remainder gives until
//! nothing more comes. No withheld figure and no remainder of fewer than
//! five may come out.

use super::{FIELDS, Field, Figures, MIN_GROUP, Shown, ratio, suppress_rows};
use proptest::prelude::*;

const OUTCOMES: [Field; 6] = [
    Field::Accepted,
    Field::Waitlisted,
    Field::Rejected,
    Field::Active,
    Field::Completed,
    Field::Withdrawn,
];

/// The reader's cells of a row: the figures, then these.
const PENDING: usize = FIELDS;
const ABSENT: usize = FIELDS + 1;
/// Active plus completed: what retention counts as staying.
const STAYED: usize = FIELDS + 2;
const CELLS: usize = FIELDS + 3;

/// A row's cells as they truly are.
fn truth(raw: &Figures) -> [i64; CELLS] {
    let mut out = [0; CELLS];
    out[..FIELDS].copy_from_slice(&raw.0);
    out[PENDING] = raw.get(Field::Applicants) - OUTCOMES.iter().map(|f| raw.get(*f)).sum::<i64>();
    out[ABSENT] = raw.get(Field::AttendanceMarks) - raw.get(Field::AttendancePresent);
    out[STAYED] = raw.get(Field::Active) + raw.get(Field::Completed);
    out
}

/// A cell: (table row, cell of the row).
type At = (usize, usize);

/// Lines as (whole, parts); the totals are row `n`.
fn lines(n: usize) -> Vec<(At, Vec<At>)> {
    let mut out = Vec::new();
    for t in 0..=n {
        let mut parts: Vec<_> = OUTCOMES.iter().map(|f| (t, f.index())).collect();
        parts.push((t, PENDING));
        out.push(((t, Field::Applicants.index()), parts));
        out.push((
            (t, Field::AttendanceMarks.index()),
            vec![(t, Field::AttendancePresent.index()), (t, ABSENT)],
        ));
        out.push((
            (t, STAYED),
            vec![(t, Field::Active.index()), (t, Field::Completed.index())],
        ));
    }
    if n > 0 {
        let people = Field::ALL
            .iter()
            .filter(|f| f.counts_people())
            .map(|f| f.index());
        for c in people.chain([PENDING, ABSENT, STAYED]) {
            out.push(((n, c), (0..n).map(|t| (t, c)).collect()));
        }
    }
    out
}

/// The one value of `x` in `range` for which `rate(x)` is the shown rate.
fn only(
    range: std::ops::RangeInclusive<i64>,
    shown: f64,
    rate: impl Fn(i64) -> Option<f64>,
) -> Option<i64> {
    let mut fits = range.filter(|x| rate(*x) == Some(shown));
    match (fits.next(), fits.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

/// What the reader works out from the shown rows and totals, knowing where
/// no application is pending (a closed season has none).
fn read(shown: &[&Shown], truths: &[[i64; CELLS]]) -> Vec<[Option<i64>; CELLS]> {
    let mut k: Vec<[Option<i64>; CELLS]> = shown
        .iter()
        .zip(truths)
        .map(|(s, truth)| {
            std::array::from_fn(|c| match c {
                _ if c < FIELDS => s.get(Field::ALL[c]),
                PENDING => Some(0).filter(|_| truth[c] == 0),
                _ => None,
            })
        })
        .collect();
    let lines = lines(shown.len() - 1);
    loop {
        let before = k.clone();
        for ((wt, wc), parts) in &lines {
            let unknown: Vec<_> = parts.iter().filter(|(t, c)| k[*t][*c].is_none()).collect();
            let known_parts: i64 = parts.iter().filter_map(|(t, c)| k[*t][*c]).sum();
            match (k[*wt][*wc], unknown.as_slice()) {
                (None, []) => k[*wt][*wc] = Some(known_parts),
                (Some(whole), [(t, c)]) => k[*t][*c] = Some(whole - known_parts),
                _ => {}
            }
        }
        for (t, s) in shown.iter().enumerate() {
            let row = &mut k[t];
            if let Some(r) = s.attendance_rate() {
                let (m, p) = (
                    Field::AttendanceMarks.index(),
                    Field::AttendancePresent.index(),
                );
                match (row[m], row[p]) {
                    (Some(m_), None) => row[p] = only(0..=m_, r, |x| ratio(x, m_)),
                    (None, Some(p_)) => row[m] = only(p_.max(1)..=p_ + 2000, r, |x| ratio(p_, x)),
                    _ => {}
                }
            }
            if let Some(r) = s.retention() {
                let w = Field::Withdrawn.index();
                match (row[STAYED], row[w]) {
                    (Some(st), None) => row[w] = only(0..=2000, r, |x| ratio(st, st + x)),
                    (None, Some(w_)) => row[STAYED] = only(0..=2000, r, |x| ratio(x, x + w_)),
                    _ => {}
                }
            }
        }
        if k == before {
            return k;
        }
    }
}

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 1i64..MIN_GROUP, MIN_GROUP..40]
}

/// A row whose figures relate as the rollups' do.
fn row() -> impl Strategy<Value = Figures> {
    (
        prop::collection::vec(count(), FIELDS),
        count(),
        0i64..60,
        count(),
    )
        .prop_map(|(all, pending, present, absent)| {
            let mut f = Figures::default();
            f.0.copy_from_slice(&all);
            f.0[Field::Applicants.index()] =
                OUTCOMES.iter().map(|o| f.get(*o)).sum::<i64>() + pending;
            f.0[Field::AttendancePresent.index()] = present;
            f.0[Field::AttendanceMarks.index()] = present + absent;
            f
        })
}

/// The totals row of `rows` (also the kept search's property test's).
pub(super) fn sum(rows: &[Figures]) -> Figures {
    let mut t = Figures::default();
    for r in rows {
        for i in 0..FIELDS {
            t.0[i] += r.0[i];
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_withheld_figure_can_be_worked_out_from_the_shown_ones(
        rows in prop::collection::vec(row(), 1..7)
    ) {
        let totals = sum(&rows);
        let (shown, total) = suppress_rows(&rows, &totals);
        let all: Vec<&Shown> = shown.iter().chain([&total]).collect();
        let truths: Vec<_> = rows.iter().chain([&totals]).map(truth).collect();
        let known = read(&all, &truths);
        for (t, (k, truth)) in known.iter().zip(&truths).enumerate() {
            for c in 0..CELLS {
                if let Some(v) = k[c] {
                    prop_assert_eq!(v, truth[c], "the reader worked out a wrong value: row {} cell {}", t, c);
                }
            }
            for f in Field::ALL.into_iter().filter(|f| f.counts_people()) {
                match all[t].get(f) {
                    Some(v) => prop_assert!(v == 0 || v >= MIN_GROUP, "{} shown as {}", f.name(), v),
                    None => prop_assert!(k[f.index()].is_none(), "withheld {} of row {} worked out as {}", f.name(), t, truth[f.index()]),
                }
            }
            for c in [PENDING, ABSENT] {
                if truth[c] > 0 && truth[c] < MIN_GROUP {
                    prop_assert!(k[c].is_none(), "remainder {} of row {} worked out as {}", c, t, truth[c]);
                }
            }
        }
    }
}
