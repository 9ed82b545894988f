//! Cell values people type in spreadsheets: dates the ISO way or the way
//! Kazakhstan writes them (`DD.MM.YYYY`), languages and ranks by code or by
//! name in any of the three languages.

use chrono::NaiveDate;
use soi_core::Language;
use soi_core::states::Qualification;

/// `2004-03-15`, `15.03.2004` or `15/03/2004` (day first, as written locally).
pub fn date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    // An XLSX date-time cell reads as `2004-03-15 00:00:00`.
    let day = s.split_whitespace().next().unwrap_or(s);
    ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
        .ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD or DD.MM.YYYY)"))
}

/// `kk`, `ru`, `en`, or the language's name in any of the three.
pub fn language(s: &str) -> Result<Language, String> {
    let v = s.trim().to_lowercase();
    let found = match v.as_str() {
        "kk" | "kz" | "kaz" | "kazakh" | "қазақ" | "қазақша" | "қазақ тілі" | "казахский" => {
            Some(Language::Kk)
        }
        "ru" | "rus" | "russian" | "русский" | "орыс" | "орысша" | "орыс тілі" => {
            Some(Language::Ru)
        }
        "en" | "eng" | "english" | "английский" | "ағылшын" | "ағылшынша" | "ағылшын тілі" => {
            Some(Language::En)
        }
        _ => None,
    };
    found.ok_or_else(|| format!("'{}' is not kk, ru or en", s.trim()))
}

/// A rank by code (`master_of_sport`…) or by its usual name or abbreviation.
pub fn qualification(s: &str) -> Result<Qualification, String> {
    let v: String = s
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let found = match v.as_str() {
        "master of sport" | "ms" | "мс" | "мастер спорта" | "спорт шебері" => {
            Some(Qualification::MasterOfSport)
        }
        "candidate master of sport"
        | "cms"
        | "кмс"
        | "кандидат в мастера спорта"
        | "спорт шеберлігіне кандидат" => {
            Some(Qualification::CandidateMasterOfSport)
        }
        "certified coach"
        | "coach"
        | "тренер"
        | "сертифицированный тренер"
        | "жаттықтырушы"
        | "сертификатталған жаттықтырушы" => {
            Some(Qualification::CertifiedCoach)
        }
        _ => None,
    };
    found.ok_or_else(|| {
        format!(
            "'{}' is not master_of_sport, candidate_master_of_sport or certified_coach",
            s.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_iso_and_day_first() {
        let d = NaiveDate::from_ymd_opt(2004, 3, 15);
        assert_eq!(date("2004-03-15").ok(), d);
        assert_eq!(date("15.03.2004").ok(), d);
        assert_eq!(date("2004-03-15 00:00:00").ok(), d);
        assert!(date("31.02.2004").is_err());
        assert!(date("yesterday").is_err());
    }

    #[test]
    fn languages_and_ranks_read_by_code_or_name() {
        assert_eq!(language("Қазақ"), Ok(Language::Kk));
        assert_eq!(language("Русский"), Ok(Language::Ru));
        assert!(language("de").is_err());
        assert_eq!(
            qualification("КМС"),
            Ok(Qualification::CandidateMasterOfSport)
        );
        assert_eq!(
            qualification("master_of_sport"),
            Ok(Qualification::MasterOfSport)
        );
    }
}
