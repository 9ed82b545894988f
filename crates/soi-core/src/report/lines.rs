//! The lines of a report table along which figures add up, and the search for
//! figures a reader could work out along them. A line is a whole and its
//! parts: a row's applicants and their outcomes (plus the applications still
//! pending, never shown), a row's attendance marks and the present ones (plus
//! the absent ones, never shown), and each column's total and its rows. Where
//! every cell of a line but one is known, the last one is known too; hiding
//! stops only when no withheld cell, and no small unshown remainder, can be
//! reached that way.

use super::search::{Found, Search};
use super::{FIELDS, Field, Figures};

#[cfg(test)]
#[path = "search_props.rs"]
mod search_props;

/// A row's figure that is a whole of others shown beside it; the remainder
/// (pending applications, absent marks) is never shown.
pub(super) struct Group {
    pub whole: Field,
    pub parts: &'static [Field],
}

pub(super) const GROUPS: [Group; 2] = [
    Group {
        whole: Field::Applicants,
        parts: &[
            Field::Accepted,
            Field::Waitlisted,
            Field::Rejected,
            Field::Active,
            Field::Completed,
            Field::Withdrawn,
        ],
    },
    Group {
        whole: Field::AttendanceMarks,
        parts: &[Field::AttendancePresent],
    },
];

/// Cells of a table row: the figures, then each group's remainder.
pub(super) const CELLS: usize = FIELDS + GROUPS.len();

/// A cell: (table row, cell of the row); the totals are the last table row.
type At = (usize, usize);

pub(super) fn small(v: i64) -> bool {
    v > 0 && v < super::MIN_GROUP
}

/// The values of a table row, remainders included.
pub(super) fn cells_of(raw: &Figures) -> [i64; CELLS] {
    let mut out = [0; CELLS];
    out[..FIELDS].copy_from_slice(&raw.0);
    for (g, group) in GROUPS.iter().enumerate() {
        let parts: i64 = group.parts.iter().map(|f| raw.get(*f)).sum();
        out[FIELDS + g] = raw.get(group.whole) - parts;
    }
    out
}

/// Every line of a table of `rows` rows and their totals; the whole of a
/// line comes last (it is the last choice of a cell to hide beside another).
fn lines(rows: usize) -> Vec<Vec<At>> {
    let mut out = Vec::new();
    for t in 0..=rows {
        for (g, group) in GROUPS.iter().enumerate() {
            let mut line: Vec<At> = group.parts.iter().map(|f| (t, f.index())).collect();
            line.push((t, FIELDS + g));
            line.push((t, group.whole.index()));
            out.push(line);
        }
    }
    // Totals alone (protected first, on their own) have no rows to add up. Not every
    // column adds up exactly (coaches are the busiest month's), but treating
    // each as if it did only withholds more.
    if rows > 0 {
        let columns = Field::ALL
            .iter()
            .filter(|f| f.counts_people())
            .map(|f| f.index())
            .chain(FIELDS..CELLS);
        for c in columns {
            out.push((0..=rows).map(|t| (t, c)).collect());
        }
    }
    out
}

/// A report table under suppression: every value, and which figures show.
pub(super) struct Table {
    values: Vec<[i64; CELLS]>,
    hidden: Vec<[bool; CELLS]>,
    /// Cells in the order they were hidden.
    pub order: Vec<At>,
}

impl Table {
    /// The rows' and totals' figures, small counts hidden; the totals (the
    /// last) are protected first, on their own, so that they come out as they
    /// would alone.
    pub fn new(raw: &[&Figures]) -> Self {
        Self::new_with(raw, Self::protect)
    }

    /// [`Table::new`], the totals protected by `protect`.
    fn new_with(raw: &[&Figures], protect: fn(&mut Self)) -> Self {
        let mut table = Self::primary(raw);
        if let Some(totals) = raw.last().filter(|_| raw.len() > 1) {
            let mut alone = Self::primary(&[totals]);
            protect(&mut alone);
            let t = raw.len() - 1;
            for &(_, c) in &alone.order {
                table.hide((t, c));
            }
        }
        table
    }

    fn primary(raw: &[&Figures]) -> Self {
        let mut table = Self {
            values: raw.iter().map(|r| cells_of(r)).collect(),
            hidden: vec![[false; CELLS]; raw.len()],
            order: Vec::new(),
        };
        for (t, r) in raw.iter().enumerate() {
            for f in Field::ALL.into_iter().filter(|f| f.counts_people()) {
                if small(r.get(f)) {
                    table.hide((t, f.index()));
                }
            }
        }
        table
    }

    fn hide(&mut self, (t, c): At) {
        if !self.hidden[t][c] {
            self.hidden[t][c] = true;
            self.order.push((t, c));
        }
    }

    /// Whether a reader must not learn the cell: withheld, or a remainder of
    /// fewer than five.
    fn sensitive(&self, (t, c): At) -> bool {
        if c < FIELDS {
            self.hidden[t][c]
        } else {
            small(self.values[t][c])
        }
    }

    /// What a reader knows from the start: the shown figures, no pending
    /// applications where there are none (a closed season has none, as
    /// anyone may know; a full attendance is not known so), and the totals'
    /// remainders that are not small (some grouping of the rows may give
    /// them; so the totals' own hiding does not depend on their rows).
    fn known_at_start(&self, (t, c): At) -> bool {
        let v = self.values[t][c];
        if c < FIELDS {
            !self.hidden[t][c]
        } else {
            (v == 0 && c == FIELDS) || (t == self.values.len() - 1 && !small(v))
        }
    }

    /// Hides cells beside withheld ones until no sensitive cell can be
    /// worked out along the lines: each round, the first leak (in the order
    /// the reader finds them) that can be closed strictly is, else the first
    /// that can be closed at all (see [`Search`] for how a round searches).
    pub fn protect(&mut self) {
        let rows = self.values.len();
        let mut search = Search::new(lines(rows - 1), rows, |at| self.known_at_start(at));
        // Each round hides at least one more figure, so this ends.
        loop {
            let before = self.order.len();
            let (leaks, closed) = search.run(|cell, line| {
                if !self.sensitive(cell) {
                    Found::Harmless
                } else if self.hide_beside(line, cell, true) {
                    Found::Closed
                } else {
                    Found::Open
                }
            });
            let fixed = closed
                || leaks
                    .iter()
                    .any(|(cell, line)| self.hide_beside(search.line(*line), *cell, false));
            if !fixed {
                break;
            }
            for &at in &self.order[before..] {
                search.hidden(at);
            }
        }
    }

    /// Hides a second cell of `line` so that `cell` is no longer its only
    /// unknown: the smallest positive shown part (or else the whole); where
    /// only worked-out remainders are left, a figure of a remainder's row.
    /// `strict`, a column never hides its total (the totals should read the
    /// same in every report of the period, whatever its rows), and a row
    /// hides no figure that is its column's only positive one while the
    /// total shows (the total would give it back); only when no leak can be
    /// closed that way is either done. False when nothing could be hidden.
    fn hide_beside(&mut self, line: &[At], cell: At, strict: bool) -> bool {
        let totals = self.values.len() - 1;
        let column = line.iter().any(|at| at.0 != cell.0);
        let usable = |at: &At| {
            *at != cell
                && at.1 < FIELDS
                && !self.hidden[at.0][at.1]
                && self.value(*at) > 0
                && (!strict
                    || if column {
                        at.0 != totals
                    } else {
                        at.0 == totals || self.others_positive(*at) || self.hidden[totals][at.1]
                    })
        };
        let (whole, parts) = line.split_last().unwrap_or((&cell, &[]));
        // In a column, a cell its own row would give back at once is the
        // last choice.
        let pick = parts
            .iter()
            .filter(|at| usable(at))
            .min_by_key(|at| (column && self.alone_in_row(**at), self.value(**at)))
            .or_else(|| Some(whole).filter(|at| usable(at)));
        if let Some(&at) = pick {
            self.hide(at);
            return true;
        }
        let rest = line
            .iter()
            .find(|at| **at != cell && at.0 != totals && at.1 >= FIELDS && self.value(**at) > 0);
        match rest {
            Some(&(t, c)) => {
                let group = &GROUPS[c - FIELDS];
                let mut row: Vec<At> = group.parts.iter().map(|f| (t, f.index())).collect();
                row.push((t, group.whole.index()));
                self.hide_beside(&row, (t, c), strict)
            }
            None => false,
        }
    }

    /// Whether every other cell of the cell's row group is known from the
    /// start (so that hiding the cell alone would not hide it).
    fn alone_in_row(&self, (t, c): At) -> bool {
        GROUPS.iter().enumerate().any(|(g, group)| {
            let mut cells = group.parts.iter().chain([&group.whole]).map(|f| f.index());
            cells.clone().any(|x| x == c)
                && self.known_at_start((t, FIELDS + g))
                && cells.all(|x| x == c || !self.hidden[t][x])
        })
    }

    /// Whether another row than the cell's holds a positive value in its
    /// column.
    fn others_positive(&self, (t, c): At) -> bool {
        let rows = self.values.len() - 1;
        (0..rows).any(|r| r != t && self.values[r][c] > 0)
    }

    fn value(&self, (t, c): At) -> i64 {
        self.values[t][c]
    }
}
