//! The rules for a person's details, in one place: the public application
//! form (GraphQL `applyToSeason`, `createCoach`) and the spreadsheet imports
//! check the same fields the same way. Every problem of a record is
//! returned, not only the first, so an import can report a whole row.

use chrono::{DateTime, NaiveDate, Utc};
use soi_core::states::{ConsentMethod, Qualification};
use soi_core::{Email, InputError, Language, PersonName, Phone, text};
use soi_db::program::coaches::NewCoach;
use soi_db::program::participants::{Consent, NewParticipant};

/// A participant's details as given (trimmed or not, unchecked).
#[derive(Debug, Clone, Copy)]
pub struct ParticipantDetails<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub university: Option<&'a str>,
    pub birth_date: Option<NaiveDate>,
    pub preferred_language: Language,
    pub guardian_name: Option<&'a str>,
}

/// Consent as given: when, which text version, how.
#[derive(Debug, Clone, Copy)]
pub struct ConsentDetails<'a> {
    pub given_at: DateTime<Utc>,
    pub text_version: &'a str,
    pub method: ConsentMethod,
}

/// Collects the problems of one record; each field is checked on its own.
#[derive(Default)]
struct Problems(Vec<InputError>);

impl Problems {
    fn check<T>(&mut self, r: Result<T, InputError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

/// The participant to store, or every problem of the details. `today` is
/// the date the rules are checked on (birth dates in the past, adulthood).
pub fn participant(
    d: &ParticipantDetails<'_>,
    consent: &ConsentDetails<'_>,
    today: NaiveDate,
) -> Result<NewParticipant, Vec<InputError>> {
    // In the order the API has always reported its first problem.
    let mut p = Problems::default();
    let earliest = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap_or(NaiveDate::MIN);
    if let Some(b) = d.birth_date
        && (b >= today || b < earliest)
    {
        p.0.push(InputError::new(
            "birthDate",
            "is not a plausible date of birth",
        ));
    }
    // Law No. 94-V: a minor's data needs a guardian's consent.
    let minor = d
        .birth_date
        .is_some_and(|b| today.years_since(b).is_some_and(|y| y < 18));
    let guardian_name = match d.guardian_name {
        Some(g) => p.check(text::bounded("guardianName", g, text::MAX_LINE).map(Some)),
        None if minor => {
            p.0.push(InputError::new(
                "guardianName",
                "a guardian's consent is needed under 18",
            ));
            None
        }
        None => Some(None),
    };
    let first_name = p.check(PersonName::parse("firstName", d.first_name));
    let last_name = p.check(PersonName::parse("lastName", d.last_name));
    let email = p.check(Email::parse(d.email));
    let phone = p.check(d.phone.map(Phone::parse).transpose());
    let university = p.check(
        d.university
            .map(|u| text::bounded("university", u, text::MAX_LINE))
            .transpose(),
    );
    let text_version = p.check(text::bounded(
        "consentTextVersion",
        consent.text_version,
        40,
    ));
    match (
        first_name,
        last_name,
        email,
        phone,
        university,
        guardian_name,
        text_version,
    ) {
        (
            Some(first_name),
            Some(last_name),
            Some(email),
            Some(phone),
            Some(university),
            Some(guardian_name),
            Some(text_version),
        ) if p.0.is_empty() => Ok(NewParticipant {
            first_name,
            last_name,
            email,
            phone,
            university,
            birth_date: d.birth_date,
            preferred_language: d.preferred_language,
            consent: Consent {
                given_at: consent.given_at,
                text_version,
                method: consent.method,
            },
            guardian_name,
        }),
        _ => Err(p.0),
    }
}

/// A coach's details as given.
#[derive(Debug, Clone, Copy)]
pub struct CoachDetails<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub qualification: Qualification,
}

/// The coach to store, or every problem of the details.
pub fn coach(d: &CoachDetails<'_>) -> Result<NewCoach, Vec<InputError>> {
    let mut p = Problems::default();
    let first_name = p.check(PersonName::parse("firstName", d.first_name));
    let last_name = p.check(PersonName::parse("lastName", d.last_name));
    let email = p.check(Email::parse(d.email));
    let phone = p.check(d.phone.map(Phone::parse).transpose());
    match (first_name, last_name, email, phone) {
        (Some(first_name), Some(last_name), Some(email), Some(phone)) => Ok(NewCoach {
            first_name,
            last_name,
            email,
            phone,
            qualification: d.qualification,
        }),
        _ => Err(p.0),
    }
}
