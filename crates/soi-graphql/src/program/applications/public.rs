//! Applying to a season without an account (`applyToSeason`): the city is
//! named by slug, the applicant's details are checked whole before anything
//! is written, and applications are rate limited per client and per city.

use super::nodes::ApplicationStatus;
use crate::auth::AuthSettings;
use crate::plumbing::throttle;
use crate::plumbing::{Valid, bad_input, first_problem, in_public_city, parse_id};
use crate::shared::date::Date;
use crate::shared::lang::Lang;
use async_graphql::ErrorExtensions;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{NaiveDate, Utc};
use soi_core::states::ConsentMethod;
use soi_core::{SeasonId, text};
use soi_db::program::participants::NewParticipant;
use soi_service::program::applications::{self as program, Confirmed};
use soi_service::program::people;

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
    pub birth_date: Option<Date>,
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
        // The same rules as the spreadsheet import (soi_service::program::people).
        let details = people::ParticipantDetails {
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
            phone: self.phone.as_deref(),
            university: self.university.as_deref(),
            birth_date: self.birth_date.map(|d| d.0),
            preferred_language: self.preferred_language.into(),
            guardian_name: self.guardian_name.as_deref(),
        };
        let consent = people::ConsentDetails {
            given_at: Utc::now(),
            text_version: &self.consent_text_version,
            method: ConsentMethod::WebForm,
        };
        let person = people::participant(&details, &consent, today)
            .map_err(first_problem)
            .valid()?;
        let motivation = self
            .motivation
            .as_deref()
            .map(|m| text::bounded("motivation", m, text::MAX_TEXT))
            .valid()?;
        Ok((person, motivation))
    }
}

/// What an applicant learns right after applying: the same whether or not
/// the city knows the address. What happens next is emailed to the address:
/// the "received" email, or, when the address already has a record, a link
/// that its owner follows to confirm the application.
#[derive(SimpleObject)]
pub struct ApplicationReceipt {
    /// The application's id (the one it keeps once confirmed).
    pub application_id: ID,
}

/// An application its address's owner confirmed.
#[derive(SimpleObject)]
pub struct ConfirmedApplication {
    /// The application's id.
    pub application_id: ID,
    /// `APPLIED`, or `ACCEPTED`/`WAITLISTED` when the season accepts automatically.
    pub status: ApplicationStatus,
}

#[derive(Default)]
pub struct ApplicationPublicMutation;

#[Object]
impl ApplicationPublicMutation {
    /// Applies to a season of a city (public; no sign-in). The answer does
    /// not say whether the address is known; the email to it does.
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
        let links = &ctx.data::<AuthSettings>()?.links;
        let applied = in_public_city(ctx, &city, &limits, async |tx| {
            program::apply(tx, links, &city, season, &person, motivation.as_deref()).await
        })
        .await?;
        Ok(ApplicationReceipt {
            application_id: ID(applied.id().to_string()),
        })
    }

    /// Confirms an application made with an address the city already knew,
    /// with the token from the link emailed to that address (public). An
    /// unknown, used or expired token is `BAD_USER_INPUT` on `token` with
    /// `extensions.reason` (`UNKNOWN` or `EXPIRED`).
    async fn confirm_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug")] city: String,
        #[graphql(desc = "The token from the confirmation link.")] token: String,
    ) -> Result<ConfirmedApplication> {
        if token.len() > 200 {
            return Err(confirmation_error("UNKNOWN"));
        }
        let token_hash = soi_auth::token_hash(token.trim());
        let limits = [throttle::APPLY_PER_CLIENT];
        let confirmed = in_public_city(ctx, &city, &limits, async |tx| {
            program::confirm(tx, &token_hash).await
        })
        .await?;
        match confirmed {
            Confirmed::Application(e) => Ok(ConfirmedApplication {
                application_id: ID(e.id.to_string()),
                status: e.status.into(),
            }),
            Confirmed::Unknown => Err(confirmation_error("UNKNOWN")),
            Confirmed::Expired => Err(confirmation_error("EXPIRED")),
        }
    }
}

fn confirmation_error(reason: &'static str) -> async_graphql::Error {
    let message = match reason {
        "EXPIRED" => "this confirmation link has expired; apply again",
        _ => "this confirmation link is not valid, or was used already",
    };
    bad_input("token", message).extend_with(move |_, x| x.set("reason", reason))
}
