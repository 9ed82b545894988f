//! What the benches print: markdown tables (the header and its alignment
//! line when a table starts, then one row at a time as figures come in) and
//! latency figures in milliseconds.

use std::time::Duration;

/// A column's title and alignment.
pub struct Column {
    title: String,
    right: bool,
}

/// A right-aligned (numeric) column.
pub fn num(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        right: true,
    }
}

/// A left-aligned (text) column.
pub fn text(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        right: false,
    }
}

/// A table being printed.
pub struct Table {
    columns: usize,
}

impl Table {
    /// Prints the header and the alignment line.
    pub fn start(columns: &[Column]) -> Self {
        let titles: Vec<&str> = columns.iter().map(|c| c.title.as_str()).collect();
        println!("| {} |", titles.join(" | "));
        let aligns: String = columns
            .iter()
            .map(|c| if c.right { "---:|" } else { "---|" })
            .collect();
        println!("|{aligns}");
        Self {
            columns: columns.len(),
        }
    }

    /// Prints one row; a cell per column.
    pub fn row(&self, cells: &[String]) {
        debug_assert_eq!(cells.len(), self.columns, "cells of a row");
        println!("| {} |", cells.join(" | "));
    }
}

pub struct Figures {
    pub mean: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub per_second: f64,
}

pub fn figures(mut samples: Vec<Duration>, wall: Duration) -> Figures {
    samples.sort();
    let n = samples.len().max(1);
    let pick = |q: f64| {
        samples
            .get(((n as f64 * q) as usize).min(n - 1))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        mean: samples.iter().sum::<Duration>() / n as u32,
        p50: pick(0.50),
        p99: pick(0.99),
        per_second: n as f64 / wall.as_secs_f64(),
    }
}

/// Milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}
