//! Newtypes that parse their input: once a value has one of these types it is
//! valid, trimmed and normalised, so the layers above and below need not check
//! again. Kazakh text may be Cyrillic today and Latin after 2031; both pass.

use crate::error::{InputError, InputResult};
use serde::Serialize;

/// Longest free text kept in a single-line field (names, titles, universities).
pub const MAX_LINE: usize = 200;
/// Longest free text kept in a multi-line field (motivation, notes, themes).
pub const MAX_TEXT: usize = 4000;

/// Trimmed, non-empty text of at most `max` characters without control characters
/// (new lines allowed only when `max` > [`MAX_LINE`]).
pub fn bounded(field: &'static str, value: &str, max: usize) -> InputResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(InputError::new(field, "must not be empty"));
    }
    let count = v.chars().count();
    if count > max {
        return Err(InputError::new(
            field,
            format!("must be at most {max} characters, got {count}"),
        ));
    }
    let multiline = max > MAX_LINE;
    if v.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(InputError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_owned())
}

/// A city's URL name: `almaty`, `ust-kamenogorsk`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(value: &str) -> InputResult<Self> {
        let v = value.trim();
        let ok = (2..=40).contains(&v.len())
            && v.starts_with(|c: char| c.is_ascii_lowercase())
            && !v.ends_with('-')
            && !v.contains("--")
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Slug(v.to_owned()))
        } else {
            Err(InputError::new(
                "slug",
                format!(
                    "'{v}' is not a city slug: 2-40 of a-z, 0-9 and single dashes, starting with a letter"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, lower-cased so that uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> InputResult<Self> {
        let v = value.trim().to_lowercase();
        let bad = || InputError::new("email", "is not a valid email address");
        if v.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = v.split_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2);
        if local_ok && domain_ok {
            Ok(Email(v))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number in E.164 form (`+77011234567`). Kazakh numbers may be given
/// the local way (`8 701 123 45 67`); separators are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(value: &str) -> InputResult<Self> {
        let bad = || {
            InputError::new(
                "phone",
                "is not a valid phone number (e.g. +7 701 123 45 67)",
            )
        };
        let v = value.trim();
        let (plus, rest) = match v.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, v),
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(bad()),
            }
        }
        // The local trunk prefix 8 stands for +7 (Kazakhstan and Russia share +7).
        if !plus {
            match digits.strip_prefix('8') {
                Some(national) if digits.len() == 11 => digits = format!("7{national}"),
                _ => return Err(bad()),
            }
        }
        let ok = if digits.starts_with('7') {
            digits.len() == 11
        } else {
            (8..=15).contains(&digits.len()) && !digits.starts_with('0')
        };
        if ok {
            Ok(Phone(format!("+{digits}")))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's given or family name in any script.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, value: &str) -> InputResult<Self> {
        let v = bounded(field, value, 100)?;
        let ok = v.chars().any(char::is_alphabetic)
            && v.chars().all(|c| c.is_alphabetic() || " -'’.".contains(c));
        if ok {
            Ok(PersonName(v))
        } else {
            Err(InputError::new(
                field,
                "may hold only letters, spaces, dashes and apostrophes",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kazakh_phone_numbers_normalise_to_e164() {
        for raw in [
            "+7 701 123 45 67",
            "8 (701) 123-45-67",
            "87011234567",
            "+77011234567",
        ] {
            assert_eq!(Phone::parse(raw).expect(raw).as_str(), "+77011234567");
        }
        for raw in ["701 123", "+7 701 123 45 6", "phone", "+", "8701123456"] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn names_take_kazakh_letters_in_both_scripts() {
        for raw in ["Әлия", "Нұрсұлтан", "Ғалымжан-Ұлы", "Aılin", "O'Brien"]
        {
            assert!(PersonName::parse("firstName", raw).is_ok(), "{raw}");
        }
        assert!(PersonName::parse("firstName", "Robert'); DROP TABLE--").is_err());
        assert!(PersonName::parse("firstName", "   ").is_err());
    }

    #[test]
    fn slugs_are_lowercase_words() {
        assert!(Slug::parse("almaty").is_ok());
        assert!(Slug::parse("ust-kamenogorsk").is_ok());
        for raw in ["Almaty", "1city", "a", "al--maty", "almaty-", "al maty", ""] {
            assert!(Slug::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Aigerim@KazNU.kz ").expect("valid").as_str(),
            "aigerim@kaznu.kz"
        );
        for raw in [
            "no-at",
            "a@b",
            "@x.kz",
            "a@.kz",
            "a..b@x.kz",
            "a@x.k",
            "a b@x.kz",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw}");
        }
    }

    proptest! {
        #[test]
        fn email_parse_is_idempotent(s in "[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,10}\\.[A-Za-z]{2,6}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).expect("reparse"), e);
            }
        }

        #[test]
        fn phone_parse_is_idempotent(s in "\\+?[0-9 ()-]{0,20}") {
            if let Ok(p) = Phone::parse(&s) {
                prop_assert_eq!(Phone::parse(p.as_str()).expect("reparse"), p.clone());
                prop_assert!(p.as_str().len() <= 16);
            }
        }

        #[test]
        fn bounded_text_never_keeps_control_characters(s in "\\PC{0,10}[\\x00-\\x1f]\\PC{0,10}") {
            if let Ok(v) = bounded("title", &s, MAX_LINE) {
                prop_assert!(!v.chars().any(char::is_control));
            }
        }

        #[test]
        fn slugs_accept_only_their_alphabet(s in "\\PC{0,45}") {
            if let Ok(slug) = Slug::parse(&s) {
                prop_assert!(slug.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            }
        }
    }
}
