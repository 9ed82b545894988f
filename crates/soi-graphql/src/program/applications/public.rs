//! Applying to a season without an account (`applyToSeason`): the city is
//! named by slug, the applicant's details are checked whole before anything
//! is written, and applications are rate limited per client and per city.

use super::nodes::ApplicationStatus;
use crate::plumbing::throttle;
use crate::plumbing::{Valid, bad_input, in_public_city, parse_id};
use crate::shared::lang::Lang;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{NaiveDate, Utc};
use soi_core::states::ConsentMethod;
use soi_core::{Email, PersonName, Phone, SeasonId, text};
use soi_db::program::participants::{Consent, NewParticipant};
use soi_service::program::applications as program;

/// An applicant's details.
#[derive(InputObject)]
pub struct ApplicationInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email for the program's messages.
    pub email: String,
    /// Phone, e.g. +7 701 123 45 67.
    pub phone: Option<String>,
    /// University.
    pub university: Option<String>,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Language of the program's emails.
    pub preferred_language: Lang,
    /// Must be true: consent to personal-data processing (law No. 94-V).
    pub consent_given: bool,
    /// Version of the consent text shown, e.g. "2026-09".
    pub consent_text_version: String,
    /// A guardian's name, required when the applicant is under 18.
    pub guardian_name: Option<String>,
    /// Why the applicant wants to skate (up to 4000 characters).
    pub motivation: Option<String>,
}

impl ApplicationInput {
    fn validate(&self, today: NaiveDate) -> Result<(NewParticipant, Option<String>)> {
        if !self.consent_given {
            return Err(bad_input(
                "consentGiven",
                "consent to personal-data processing is required",
            ));
        }
        let birth_date = self.birth_date;
        if let Some(b) = birth_date
            && (b >= today || b < NaiveDate::from_ymd_opt(1920, 1, 1).unwrap_or(b))
        {
            return Err(bad_input("birthDate", "is not a plausible date of birth"));
        }
        let minor = birth_date.is_some_and(|b| today.years_since(b).is_some_and(|y| y < 18));
        let guardian_name = match &self.guardian_name {
            Some(g) => Some(text::bounded("guardianName", g, text::MAX_LINE).valid()?),
            None if minor => {
                return Err(bad_input(
                    "guardianName",
                    "a guardian's consent is needed under 18",
                ));
            }
            None => None,
        };
        let person = NewParticipant {
            first_name: PersonName::parse("firstName", &self.first_name).valid()?,
            last_name: PersonName::parse("lastName", &self.last_name).valid()?,
            email: Email::parse(&self.email).valid()?,
            phone: self.phone.as_deref().map(Phone::parse).valid()?,
            university: self
                .university
                .as_deref()
                .map(|u| text::bounded("university", u, text::MAX_LINE))
                .valid()?,
            birth_date,
            preferred_language: self.preferred_language.into(),
            consent: Consent {
                given_at: Utc::now(),
                text_version: text::bounded("consentTextVersion", &self.consent_text_version, 40)
                    .valid()?,
                method: ConsentMethod::WebForm,
            },
            guardian_name,
        };
        let motivation = self
            .motivation
            .as_deref()
            .map(|m| text::bounded("motivation", m, text::MAX_TEXT))
            .valid()?;
        Ok((person, motivation))
    }
}

/// What an applicant learns right after applying.
#[derive(SimpleObject)]
pub struct ApplicationReceipt {
    /// The application's id.
    pub application_id: ID,
    /// `APPLIED`, or `ACCEPTED`/`WAITLISTED` when the season accepts automatically.
    pub status: ApplicationStatus,
}

#[derive(Default)]
pub struct ApplicationPublicMutation;

#[Object]
impl ApplicationPublicMutation {
    /// Applies to a season of a city (public; no sign-in).
    async fn apply_to_season(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
        season_id: ID,
        input: ApplicationInput,
    ) -> Result<ApplicationReceipt> {
        let season: SeasonId = parse_id("seasonId", &season_id)?;
        let (person, motivation) = input.validate(Utc::now().date_naive())?;
        let limits = [throttle::APPLY_PER_CLIENT, throttle::APPLY_PER_CITY];
        let applied = in_public_city(ctx, &city, &limits, async |tx| {
            program::apply(tx, season, &person, motivation.as_deref()).await
        })
        .await?;
        Ok(ApplicationReceipt {
            application_id: ID(applied.id.to_string()),
            status: applied.status.into(),
        })
    }
}
