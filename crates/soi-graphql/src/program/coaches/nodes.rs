//! Coaches and certificates as the city's staff see them; certificates of a
//! page of coaches come from one loader batch, not one statement per coach.

use crate::plumbing::loaders::CertificatesOf;
use crate::plumbing::{Load, mirror_enum};
use crate::shared::date::Date;
use async_graphql::{Context, ID, Object, Result};
use soi_core::states::Qualification as CoreQualification;
use soi_db::program::coach_certificates::Certificate;
use soi_db::program::coaches::Coach;

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
        let found = ctx.load(CertificatesOf(self.0.id)).await?;
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
    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }
    /// Last day it is valid; null when it does not expire.
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }
}
