//! The reader's search for figures along the lines, as one round of
//! protection runs it, without starting from nothing every round.
//!
//! Protection hides one more cell per round and searches again. The search
//! (in passes over every line, each line whose only unknown cell it works
//! out) used to rebuild what is known from the start and walk every cell of
//! every line in every pass, every round: with thousands of rows, thousands
//! of rounds, each costing the whole table several times. Here what is known
//! from the start and each line's unknown count are kept between rounds
//! (a hidden cell updates only the lines through it), a line is visited only
//! when one unknown cell is left on it, in the order the passes would visit
//! it, and the round stops at the first leak the caller closes. The cells it
//! works out, and the order of its leaks, are exactly the passes'.

use super::lines::CELLS;

/// A cell: (table row, cell of the row).
type At = (usize, usize);

/// What the caller makes of a cell the reader worked out.
pub(super) enum Found {
    /// Nothing to protect: go on.
    Harmless,
    /// A leak, left open for now: go on.
    Open,
    /// A leak the caller closed: this round ends.
    Closed,
}

pub(super) struct Search {
    lines: Vec<Vec<At>>,
    /// The lines through each cell (`t * CELLS + c`): those of cell `i` are
    /// `through[starts[i]..starts[i + 1]]`. One array for all, not one per
    /// cell: a 4,000-row report has 100,000 cells, and their allocations
    /// cost more than the search.
    through: Vec<u32>,
    starts: Vec<u32>,
    /// What the reader knows from the start.
    known: Vec<bool>,
    /// Each line's cells not known from the start.
    unknown: Vec<u32>,
}

fn index((t, c): At) -> usize {
    t * CELLS + c
}

impl Search {
    /// The lines of a table of `rows` table rows (totals included), and
    /// what is known of each cell from the start.
    pub fn new(lines: Vec<Vec<At>>, rows: usize, known: impl Fn(At) -> bool) -> Self {
        // Counted, then placed: the lines of each cell, in line order.
        let mut starts = vec![0u32; rows * CELLS + 1];
        for line in &lines {
            for &at in line {
                starts[index(at) + 1] += 1;
            }
        }
        let mut sum = 0;
        for start in &mut starts {
            sum += *start;
            *start = sum;
        }
        let mut next = starts.clone();
        let mut through = vec![0u32; starts[rows * CELLS] as usize];
        for (i, line) in lines.iter().enumerate() {
            for &at in line {
                let slot = &mut next[index(at)];
                through[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        let known: Vec<bool> = (0..rows * CELLS)
            .map(|i| known((i / CELLS, i % CELLS)))
            .collect();
        let unknown = lines
            .iter()
            .map(|line| line.iter().filter(|at| !known[index(**at)]).count() as u32)
            .collect();
        Self {
            lines,
            through,
            starts,
            known,
            unknown,
        }
    }

    pub fn line(&self, i: usize) -> &[At] {
        &self.lines[i]
    }

    /// Where the lines through the cell of index `i` are in `through`.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        self.starts[i] as usize..self.starts[i + 1] as usize
    }

    /// A cell was hidden: the reader no longer knows it from the start.
    pub fn hidden(&mut self, at: At) {
        let i = index(at);
        if std::mem::replace(&mut self.known[i], false) {
            for l in self.span(i) {
                self.unknown[self.through[l] as usize] += 1;
            }
        }
    }

    /// Works out cells as the passes do: each pass visits the lines in
    /// order, and a line with one unknown cell gives it (seen at once by the
    /// lines after it in the same pass, by the lines before it in the next
    /// pass); passes go on while one gives something. Every cell worked out
    /// goes to `found` with its line, in that order; the leaks it answered
    /// [`Found::Open`] or [`Found::Closed`] to are returned, and whether one was closed.
    pub fn run(&self, mut found: impl FnMut(At, &[At]) -> Found) -> (Vec<(At, usize)>, bool) {
        let n = self.lines.len();
        let mut known = self.known.clone();
        let mut unknown = self.unknown.clone();
        let mut this: Vec<bool> = unknown.iter().map(|u| *u == 1).collect();
        let mut next = vec![false; n];
        let mut leaks = Vec::new();
        loop {
            let mut more = false;
            for i in 0..n {
                if !std::mem::replace(&mut this[i], false) || unknown[i] != 1 {
                    continue;
                }
                let Some(&cell) = self.lines[i].iter().find(|at| !known[index(**at)]) else {
                    continue;
                };
                known[index(cell)] = true;
                for &l in &self.through[self.span(index(cell))] {
                    let l = l as usize;
                    unknown[l] -= 1;
                    if unknown[l] == 1 {
                        if l > i {
                            this[l] = true;
                        } else {
                            next[l] = true;
                            more = true;
                        }
                    }
                }
                match found(cell, &self.lines[i]) {
                    Found::Harmless => {}
                    Found::Open => leaks.push((cell, i)),
                    Found::Closed => {
                        leaks.push((cell, i));
                        return (leaks, true);
                    }
                }
            }
            if !more {
                return (leaks, false);
            }
            // Every flag of this pass was cleared as it was visited.
            std::mem::swap(&mut this, &mut next);
        }
    }
}
