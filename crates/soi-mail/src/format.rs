//! How emails write money, dates and times in each language. Times are shown
//! in the city's zone (all of Kazakhstan is UTC+5 since March 2024).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use soi_core::{CityZone, Language};

/// A no-break space: "12 500 ₸" never breaks across lines.
const NBSP: char = '\u{a0}';

/// Tiyn as tenge, grouped by thousands: `1250000` → "12 500 ₸",
/// `1250050` → "12 500,50 ₸".
pub fn tenge(tiyn: i64) -> String {
    let sign = if tiyn < 0 { "-" } else { "" };
    let abs = tiyn.unsigned_abs();
    let (whole, part) = (abs / 100, abs % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(NBSP);
        }
        grouped.push(d);
    }
    if part == 0 {
        format!("{sign}{grouped}{NBSP}₸")
    } else {
        format!("{sign}{grouped},{part:02}{NBSP}₸")
    }
}

const MONTHS_RU: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const MONTHS_KK: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar date: "1 октября 2026 г.", "2026 жылғы 1 қазан", "1 October 2026".
pub fn date(day: NaiveDate, language: Language) -> String {
    let m = day.month0() as usize;
    let (d, y) = (day.day(), day.year());
    match language {
        Language::Ru => format!("{d} {} {y} г.", MONTHS_RU[m]),
        Language::Kk => format!("{y} жылғы {d} {}", MONTHS_KK[m]),
        Language::En => format!("{d} {} {y}", MONTHS_EN[m]),
    }
}

/// A moment as the city's wall-clock date and time: "25 ноября 2026 г., 17:00".
pub fn date_time(at: DateTime<Utc>, zone: CityZone, language: Language) -> String {
    let local = zone.local(at);
    format!(
        "{}, {:02}:{:02}",
        date(local.date_naive(), language),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tenge_groups_thousands_with_no_break_spaces() {
        assert_eq!(tenge(1_250_000), "12\u{a0}500\u{a0}₸");
        assert_eq!(tenge(1_250_050), "12\u{a0}500,50\u{a0}₸");
        assert_eq!(tenge(0), "0\u{a0}₸");
        assert_eq!(tenge(99), "0,99\u{a0}₸");
        assert_eq!(tenge(10_000_000_000), "100\u{a0}000\u{a0}000\u{a0}₸");
        assert_eq!(tenge(-50_000), "-500\u{a0}₸");
    }

    #[test]
    fn times_are_the_citys_wall_clock_in_each_language() {
        let zone = CityZone::parse("Asia/Almaty").expect("zone");
        let at = Utc
            .with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
            .single()
            .expect("time");
        assert_eq!(
            date_time(at, zone, Language::Ru),
            "25 ноября 2026 г., 17:00"
        );
        assert_eq!(
            date_time(at, zone, Language::Kk),
            "2026 жылғы 25 қараша, 17:00"
        );
        assert_eq!(date_time(at, zone, Language::En), "25 November 2026, 17:00");
        // 20:30 UTC is already the next day in Aqtau (UTC+5 too since 2024).
        let late = Utc
            .with_ymd_and_hms(2026, 12, 31, 20, 30, 0)
            .single()
            .expect("time");
        let aqtau = CityZone::parse("Asia/Aqtau").expect("zone");
        assert_eq!(
            date_time(late, aqtau, Language::En),
            "1 January 2027, 01:30"
        );
    }
}
