//! What the program emails, and when: each kind has a payload (what its
//! template needs, and no more personal data than that), an idempotency key
//! (one email per event, however often the code path runs) and a function
//! that enqueues it inside the caller's tenant transaction, so the email
//! commits or rolls back with the change that causes it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use soi_core::states::EnrollmentStatus;
use soi_db::mail::outbox;
use soi_db::program::enrollments::Enrollment;
use soi_db::program::participants;
use soi_db::program::seasons::Season;
use soi_db::{Result, TenantTx};

pub const APPLICATION_RECEIVED: &str = "application_received";
pub const APPLICATION_DECIDED: &str = "application_decided";

pub mod accounts;
mod application_confirmation;
mod privacy;
mod tickets;
pub use application_confirmation::{
    APPLICATION_CONFIRMATION, ApplicationConfirmation, application_confirmation,
};
pub use privacy::{CONSENT_WITHDRAWN, ConsentWithdrawn, REQUIRED_BY_LAW, consent_withdrawn};
pub use tickets::{
    OrderTicket, SHOW_ANNOUNCEMENT, ShowAnnouncement, TICKET_ORDER_PAID, TicketOrderPaid,
    show_announcement, ticket_order_paid,
};

/// Every kind the templates cover.
pub const ALL: &[&str] = &[
    crate::sessions::SESSION_SCHEDULED,
    crate::sessions::SESSION_MOVED,
    crate::sessions::SESSION_CANCELLED,
    crate::sessions::SESSION_REMINDER,
    crate::scheduler::CERTIFICATE_EXPIRING,
    APPLICATION_RECEIVED,
    APPLICATION_DECIDED,
    TICKET_ORDER_PAID,
    SHOW_ANNOUNCEMENT,
    accounts::INVITATION,
    accounts::PASSWORD_RESET,
    APPLICATION_CONFIRMATION,
    CONSENT_WITHDRAWN,
];

/// Kinds a recipient may unsubscribe from (reminders and announcements):
/// they carry List-Unsubscribe headers and are not sent to an address that
/// unsubscribed. Every other kind is transactional and always sent.
pub const UNSUBSCRIBABLE: &[&str] = &[crate::sessions::SESSION_REMINDER, SHOW_ANNOUNCEMENT];

/// `application_received`: the applicant learns their application arrived
/// (and, when the season accepts automatically, whether they have a seat).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationReceived {
    pub first_name: String,
    pub season_title: String,
    pub applied_at: DateTime<Utc>,
    /// `applied`, `accepted` or `waitlisted`.
    pub status: String,
}

/// The decision an `application_decided` email tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accepted,
    Waitlisted,
    /// Accepted from the waitlist when a seat was freed.
    Promoted,
    Rejected,
}

impl Decision {
    pub const fn code(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Waitlisted => "waitlisted",
            Decision::Promoted => "promoted",
            Decision::Rejected => "rejected",
        }
    }

    /// The decision an admin's move to `status` means, if it is one.
    pub fn of(status: EnrollmentStatus) -> Option<Self> {
        match status {
            EnrollmentStatus::Accepted => Some(Decision::Accepted),
            EnrollmentStatus::Waitlisted => Some(Decision::Waitlisted),
            EnrollmentStatus::Rejected => Some(Decision::Rejected),
            _ => None,
        }
    }
}

/// `application_decided`: accepted, waitlisted, promoted or rejected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationDecided {
    pub first_name: String,
    pub season_title: String,
    pub season_starts_on: NaiveDate,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

/// A payload as JSON (plain structs: this fails only if a payload grows a
/// map with non-string keys).
pub(crate) fn json(payload: impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(payload)
        .map_err(|e| soi_core::InputError::new("payload", e.to_string()).into())
}

/// Enqueues `application_received` for a new application. Key:
/// `application_received:<enrollment id>`.
pub async fn application_received(
    tx: &mut TenantTx,
    season: &Season,
    application: &Enrollment,
) -> Result<()> {
    let who = participants::get(tx, application.participant_id).await?;
    let payload = json(ApplicationReceived {
        first_name: who.first_name,
        season_title: season.title.clone(),
        applied_at: application.applied_at,
        status: application.status.code().to_owned(),
    })?;
    let key = format!("{APPLICATION_RECEIVED}:{}", application.id);
    outbox::enqueue(
        tx,
        APPLICATION_RECEIVED,
        &key,
        &who.email,
        who.preferred_language,
        &payload,
    )
    .await?;
    Ok(())
}

/// Enqueues `application_decided` for a decision on an application. Key:
/// `application_decided:<enrollment id>:<decision>`.
pub async fn application_decided(
    tx: &mut TenantTx,
    season: &Season,
    application: &Enrollment,
    decision: Decision,
) -> Result<()> {
    let who = participants::get(tx, application.participant_id).await?;
    let payload = json(ApplicationDecided {
        first_name: who.first_name,
        season_title: season.title.clone(),
        season_starts_on: season.starts_on,
        decision,
        decided_at: application.decided_at.unwrap_or_else(Utc::now),
    })?;
    let key = format!(
        "{APPLICATION_DECIDED}:{}:{}",
        application.id,
        decision.code()
    );
    outbox::enqueue(
        tx,
        APPLICATION_DECIDED,
        &key,
        &who.email,
        who.preferred_language,
        &payload,
    )
    .await?;
    Ok(())
}
