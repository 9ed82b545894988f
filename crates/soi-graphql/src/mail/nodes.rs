//! An outgoing email as chapter admins see it.

use crate::plumbing::mirror_enum;
use crate::shared::lang::Lang;
use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use soi_db::mail::outbox::{Email, Status};

mirror_enum! {
    /// Where an outgoing email stands.
    EmailStatus <=> Status {
        /// Waiting to be sent (first try, or a retry after a temporary failure).
        Pending,
        /// Being sent by a worker now.
        Sending,
        /// Accepted by the mail server.
        Sent,
        /// Given up on; `resendEmail` tries again.
        Parked,
    }
}

pub struct EmailNode(pub Email);

/// An email the platform sends (or tried to send).
#[Object(name = "Email")]
impl EmailNode {
    /// The email's id (also in its Message-ID header).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it is about, e.g. `application_decided`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The address it goes to.
    async fn recipient(&self) -> &str {
        &self.0.recipient_email
    }
    /// The language it is written in (the recipient's choice).
    async fn language(&self) -> Lang {
        self.0.language.into()
    }
    /// Where it stands.
    async fn status(&self) -> EmailStatus {
        self.0.status.into()
    }
    /// Sending attempts so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last attempt failed, or why it was parked.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it was written (with the change that caused it).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the next attempt is due (while pending).
    async fn next_attempt_at(&self) -> DateTime<Utc> {
        self.0.next_attempt_at
    }
    /// When the mail server accepted it.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}
