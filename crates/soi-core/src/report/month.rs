//! A calendar month, `YYYY-MM`: the grain of every rollup.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A month of a year; reports cover whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(NaiveDate);

impl YearMonth {
    /// The month containing a date.
    pub fn of(date: NaiveDate) -> Self {
        Self(date.with_day(1).unwrap_or(date))
    }

    /// Its first day, as the rollups store it.
    pub fn first_day(self) -> NaiveDate {
        self.0
    }
}

impl FromStr for YearMonth {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a month as YYYY-MM");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2200).contains(&year) {
            return Err(format!("year {year} is outside 2000–2200"));
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(Self)
            .ok_or_else(bad)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.0.year(), self.0.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m: YearMonth = "2026-03".parse().expect("month");
        assert_eq!(m.to_string(), "2026-03");
        for bad in [
            "2026-13", "2026-3", "26-03", "2026/03", "", "1999-01", "2026-00",
        ] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
        }
    }
}
