//! Applications: the public `applyToSeason`, and admins' decisions and
//! withdrawals (a freed seat promotes the waitlist). The rules live in
//! `program::applications`; these resolvers parse input and open the tenant
//! transaction.

use crate::loaders::CityLoader;
use crate::seasons::{ADMINS, clone_error};
use crate::support::{Valid, bad_input, found, in_city, in_public_city, mirror_enum, parse_id};
use crate::throttle;
use crate::{RequestCtx, db_error};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use soi_core::program::{ConsentMethod, EnrollmentStatus};
use soi_core::{Email, EnrollmentId, Language, PersonName, Phone, SeasonId, text};
use soi_db::enrollments::{self, Enrollment};
use soi_db::participants::{Consent, NewParticipant, Participant};
use soi_service::program::applications as program;

mirror_enum! {
    /// Where an application stands.
    ApplicationStatus <=> EnrollmentStatus {
        /// Received, not decided.
        Applied,
        /// Has a seat.
        Accepted,
        /// Waits for a seat.
        Waitlisted,
        /// Not taken.
        Rejected,
        /// Training.
        Active,
        /// Finished the season.
        Completed,
        /// Left the season.
        Withdrawn,
    }
}

/// An admin's decision on an application.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give a seat (needs a free one).
    Accept,
    /// Put on the waitlist.
    Waitlist,
    /// Decline.
    Reject,
}

mirror_enum! {
    /// A language of the program.
    #[graphql(name = "Language")]
    Lang <=> Language {
        /// Kazakh.
        Kk,
        /// Russian.
        Ru,
        /// English.
        En,
    }
}

pub struct ParticipantNode(pub Participant);

impl ParticipantNode {
    /// Contact details and birth date are for the city's admin and the
    /// participant; a coach sees names, university and language only.
    fn personal(&self, ctx: &Context<'_>) -> bool {
        ctx.data::<RequestCtx>()
            .ok()
            .and_then(RequestCtx::principal)
            .is_some_and(|p| match p.role() {
                soi_core::Role::ChapterAdmin => true,
                soi_core::Role::Participant => p.participant() == Some(self.0.id),
                _ => false,
            })
    }
}

/// A participant as their chapter admin sees them.
#[Object(name = "Participant")]
impl ParticipantNode {
    /// The participant's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Given name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Family name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Email, for the program's messages (null for coaches).
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.personal(ctx).then_some(self.0.email.as_str())
    }
    /// Phone in E.164 form (null for coaches).
    async fn phone(&self, ctx: &Context<'_>) -> Option<&str> {
        self.0.phone.as_deref().filter(|_| self.personal(ctx))
    }
    /// University.
    async fn university(&self) -> Option<&str> {
        self.0.university.as_deref()
    }
    /// Date of birth (null for coaches).
    async fn birth_date(&self, ctx: &Context<'_>) -> Option<NaiveDate> {
        self.0.birth_date.filter(|_| self.personal(ctx))
    }
    /// Language of the participant's emails.
    async fn preferred_language(&self) -> Lang {
        self.0.preferred_language.into()
    }
    /// When consent to personal-data processing was given.
    async fn consent_given_at(&self) -> DateTime<Utc> {
        self.0.consent_given_at
    }
    /// Share of marked sessions attended (present or late), over all the
    /// participant's sessions; 0 when nothing was marked.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let rate = loader
            .load_one(crate::loaders::RateOf(self.0.id))
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        Ok(rate.map_or(0.0, |r| r.ratio()))
    }
    /// Which version of the consent text was accepted.
    async fn consent_text_version(&self) -> &str {
        &self.0.consent_text_version
    }
}

pub struct ApplicationNode(pub Enrollment);

/// A participant's application to a season.
#[Object(name = "Application")]
impl ApplicationNode {
    /// The application's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where it stands.
    async fn status(&self) -> ApplicationStatus {
        self.0.status.into()
    }
    /// When it came in.
    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.applied_at
    }
    /// When an admin last decided on it.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Why the applicant wants to skate.
    async fn motivation(&self) -> Option<&str> {
        self.0.motivation.as_deref()
    }
    /// The applicant.
    async fn participant(&self, ctx: &Context<'_>) -> Result<Option<ParticipantNode>> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let p = loader
            .load_one(self.0.participant_id)
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        Ok(p.map(ParticipantNode))
    }
}

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
            phone: self
                .phone
                .as_deref()
                .map(Phone::parse)
                .transpose()
                .valid()?,
            university: self
                .university
                .as_deref()
                .map(|u| text::bounded("university", u, text::MAX_LINE))
                .transpose()
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
            .transpose()
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

/// A withdrawal, and who got the freed seat.
#[derive(SimpleObject)]
pub struct Withdrawal {
    /// The withdrawn application.
    pub withdrawn: ApplicationNode,
    /// The waitlisted application that got the seat, if any.
    pub promoted: Option<ApplicationNode>,
}

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// One application of the city; null when there is none with this id here.
    async fn application(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ApplicationNode>> {
        let id: EnrollmentId = parse_id("id", &id)?;
        in_city!(ctx, ADMINS, |tx, _| found(
            enrollments::get(&mut tx, id).await
        )?)
        .map(|e| e.map(ApplicationNode))
    }
}

#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
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
        let limits = (throttle::APPLY_PER_CLIENT, throttle::APPLY_PER_CITY);
        let applied = in_public_city!(ctx, &city, [limits.0, limits.1], |tx| program::apply(
            &mut tx,
            season,
            &person,
            motivation.as_deref()
        )
        .await?)?;
        Ok(ApplicationReceipt {
            application_id: ID(applied.id.to_string()),
            status: applied.status.into(),
        })
    }

    /// Accepts, waitlists or rejects an application.
    async fn decide_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: Decision,
    ) -> Result<ApplicationNode> {
        let id: EnrollmentId = parse_id("id", &id)?;
        let next = match decision {
            Decision::Accept => EnrollmentStatus::Accepted,
            Decision::Waitlist => EnrollmentStatus::Waitlisted,
            Decision::Reject => EnrollmentStatus::Rejected,
        };
        in_city!(ctx, ADMINS, |tx, _| program::decide(&mut tx, id, next)
            .await?)
        .map(ApplicationNode)
    }

    /// Withdraws an application; a freed seat goes to the first on the waitlist.
    async fn withdraw_application(&self, ctx: &Context<'_>, id: ID) -> Result<Withdrawal> {
        let id: EnrollmentId = parse_id("id", &id)?;
        let roles = &[soi_core::Role::ChapterAdmin, soi_core::Role::Participant];
        let (db, req) = (ctx.data::<soi_db::Db>()?, ctx.data::<RequestCtx>()?);
        let (scope, principal) = req.city_scope(roles)?;
        let run = async {
            let scope = match principal.participant() {
                None => scope,
                Some(me) => {
                    // Only their own application; another's looks like none
                    // at all (their scope hides it too).
                    let mut own = db.tenant(&scope).await?;
                    let owner = enrollments::get(&mut own, id).await?.participant_id;
                    own.commit().await?;
                    if owner != me {
                        return Err(soi_db::Error::NotFound("application"));
                    }
                    // The freed seat goes to the first on the waitlist, whom
                    // the participant's own scope cannot see.
                    scope.on_behalf()
                }
            };
            let mut tx = db.tenant(&scope).await?;
            let out = program::withdraw(&mut tx, id).await?;
            crate::audit::record(ctx, &mut tx).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(out)
        };
        let (withdrawn, promoted) = run.await.map_err(|e| db_error(e, req.request_id()))?;
        Ok(Withdrawal {
            withdrawn: ApplicationNode(withdrawn),
            promoted: promoted.map(ApplicationNode),
        })
    }
}
