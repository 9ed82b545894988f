//! Typed ids. Every row id is a UUID v7 (time-ordered, so b-tree inserts stay
//! local); the newtypes keep a participant id from being passed where a coach id
//! is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )*};
}

id_type! {
    /// A city chapter: the tenant.
    CityId,
    ParticipantId,
    CoachId,
    CertificateId,
    RinkId,
    SeasonId,
    EnrollmentId,
    GroupId,
    SessionId,
    SkillLevelId,
    SkillElementId,
    AssessmentId,
    /// An ice show or competition.
    EventId,
    PartnerId,
    PerformanceId,
    TicketTypeId,
    OrderId,
    TicketId,
    PaymentId,
    SponsorId,
    ContributionId,
    CauseId,
    ExpenseId,
    DisbursementId,
    LedgerEntryId,
    AuditId,
    /// An email in the outbox.
    EmailId,
}
