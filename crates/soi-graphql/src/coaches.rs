//! Coaches and their certificates for chapter admins (and, read-only,
//! coaches). Every resolver opens a tenant transaction for the city of the
//! signed-in user; certificates of a page of coaches come from one DataLoader
//! batch, not one statement per coach.

use crate::loaders::CityLoader;
use crate::seasons::{ADMINS, READERS, clone_error};
use crate::support::{Valid, bad_input, connection, found, in_city, mirror_enum, page, parse_id};
use crate::{RequestCtx, db_error};
use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{Days, NaiveDate, Utc};
use soi_core::program::Qualification as CoreQualification;
use soi_core::{CertificateId, CoachId, Email, PersonName, Phone, text};
use soi_db::coaches::{self, Certificate, Coach, NewCertificate, NewCoach};

mirror_enum! {
    /// The sporting rank a coach holds.
    Qualification <=> CoreQualification {
        /// Master of Sport.
        MasterOfSport,
        /// Candidate for Master of Sport.
        CandidateMasterOfSport,
        /// A coach with a coaching certificate.
        CertifiedCoach,
    }
}

pub struct CoachNode(pub Coach);

/// A coach of the city's chapter.
#[Object(name = "Coach")]
impl CoachNode {
    /// The coach's id.
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
    /// Email, unique among the city's coaches.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Phone in E.164 form.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Sporting rank.
    async fn qualification(&self) -> Qualification {
        self.0.qualification.into()
    }
    /// Whether the coach currently trains groups.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The coach's certificates, oldest first.
    async fn certificates(&self, ctx: &Context<'_>) -> Result<Vec<CertificateNode>> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let found = loader
            .load_one(self.0.id)
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(CertificateNode)
            .collect())
    }
}

pub struct CertificateNode(pub Certificate);

/// A coaching or judging certificate of a coach.
#[Object(name = "Certificate")]
impl CertificateNode {
    /// The certificate's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The coach who holds it (lets a list of expiring certificates name its coaches).
    async fn coach_id(&self) -> ID {
        ID(self.0.coach_id.to_string())
    }
    /// What it certifies.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Who issued it.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// Day of issue.
    async fn issued_on(&self) -> NaiveDate {
        self.0.issued_on
    }
    /// Last day it is valid; null when it does not expire.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
}

/// A new coach.
#[derive(InputObject)]
pub struct CoachInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email; unique among the city's coaches.
    pub email: String,
    /// Phone, e.g. +7 701 123 45 67.
    pub phone: Option<String>,
    /// Sporting rank.
    pub qualification: Qualification,
}

impl CoachInput {
    fn validate(&self) -> Result<NewCoach> {
        Ok(NewCoach {
            first_name: PersonName::parse("firstName", &self.first_name).valid()?,
            last_name: PersonName::parse("lastName", &self.last_name).valid()?,
            email: Email::parse(&self.email).valid()?,
            phone: self
                .phone
                .as_deref()
                .map(Phone::parse)
                .transpose()
                .valid()?,
            qualification: self.qualification.into(),
        })
    }
}

/// A certificate to record for a coach.
#[derive(InputObject)]
pub struct CertificateInput {
    /// What it certifies, 1–200 characters.
    pub title: String,
    /// Who issued it, 1–200 characters.
    pub issuer: String,
    /// Day of issue.
    pub issued_on: NaiveDate,
    /// Last day it is valid, after `issuedOn`; leave out when it does not expire.
    pub expires_on: Option<NaiveDate>,
}

impl CertificateInput {
    fn validate(&self) -> Result<NewCertificate> {
        let title = text::bounded("title", &self.title, text::MAX_LINE).valid()?;
        let issuer = text::bounded("issuer", &self.issuer, text::MAX_LINE).valid()?;
        if self.expires_on.is_some_and(|e| e <= self.issued_on) {
            return Err(bad_input("expiresOn", "must be after issuedOn"));
        }
        Ok(NewCertificate {
            title,
            issuer,
            issued_on: self.issued_on,
            expires_on: self.expires_on,
        })
    }
}

#[derive(Default)]
pub struct CoachQuery;

#[Object]
impl CoachQuery {
    /// The city's coaches.
    async fn coaches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the previous page's last coach.")] after: Option<String>,
    ) -> Result<Connection<String, CoachNode>> {
        let (page, wanted) = page::<CoachId>(first, after.as_deref())?;
        let rows = in_city!(ctx, READERS, |tx, _| coaches::list(&mut tx, page).await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |c| c.id.to_string(),
            CoachNode,
        ))
    }

    /// One coach of the city; null when there is none with this id here.
    async fn coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach's id.")] id: ID,
    ) -> Result<Option<CoachNode>> {
        let id: CoachId = parse_id("id", &id)?;
        in_city!(ctx, READERS, |tx, _| found(
            coaches::get(&mut tx, id).await
        )?)
        .map(|c| c.map(CoachNode))
    }

    /// Certificates of active coaches that expire within `withinDays` of today
    /// (UTC), soonest first; ones already expired are listed too, as they need
    /// renewing most.
    async fn certificates_expiring(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Days ahead to look, 1–365.", default = 30)] within_days: i32,
    ) -> Result<Vec<CertificateNode>> {
        let days = u64::try_from(within_days)
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| bad_input("withinDays", "must be between 1 and 365"))?;
        let by = Utc::now()
            .date_naive()
            .checked_add_days(Days::new(days))
            .ok_or_else(|| bad_input("withinDays", "reaches past the calendar"))?;
        let rows = in_city!(ctx, READERS, |tx, _| coaches::certificates_expiring(
            &mut tx, by
        )
        .await?)?;
        Ok(rows.into_iter().map(CertificateNode).collect())
    }
}

#[derive(Default)]
pub struct CoachMutation;

#[Object]
impl CoachMutation {
    /// Adds a coach to the city's chapter; the email must be new among its coaches.
    async fn create_coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach's details.")] input: CoachInput,
    ) -> Result<CoachNode> {
        let new = input.validate()?;
        in_city!(ctx, ADMINS, |tx, _| coaches::insert(
            &mut tx,
            CoachId::new(),
            &new
        )
        .await?)
        .map(CoachNode)
    }

    /// Records a certificate of a coach of the city.
    async fn add_certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach who holds it.")] coach_id: ID,
        #[graphql(desc = "The certificate.")] input: CertificateInput,
    ) -> Result<CertificateNode> {
        let coach: CoachId = parse_id("coachId", &coach_id)?;
        let new = input.validate()?;
        // A coach of another city fails the (city_id, coach_id) foreign key,
        // which the db layer reports as NOT_FOUND: the same as a missing one.
        in_city!(ctx, ADMINS, |tx, _| coaches::add_certificate(
            &mut tx,
            CertificateId::new(),
            coach,
            &new
        )
        .await?)
        .map(CertificateNode)
    }
}
