//! The city's outgoing email, for chapter admins: the messages the worker gave
//! up on (parked: refused by the mail server, or out of attempts), and
//! sending one again once the cause is dealt with. Every resolver opens a
//! tenant transaction for the city of the signed-in user.

use crate::seasons::ADMINS;
use crate::support::{connection, in_city, mirror_enum, page, parse_id};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use soi_core::EmailId;
use soi_db::outbox::{self, Email, Status};

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
    async fn language(&self) -> crate::applications::Lang {
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

#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// Emails of the city that could not be delivered, oldest first.
    async fn parked_emails(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last email of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, EmailNode>> {
        let (page, wanted) = page::<EmailId>(first, after.as_deref())?;
        let rows = in_city!(ctx, ADMINS, |tx, _| outbox::list_parked(&mut tx, page)
            .await?)?;
        Ok(connection(
            rows,
            wanted,
            after.is_some(),
            |e| e.id.to_string(),
            EmailNode,
        ))
    }
}

#[derive(Default)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sends a parked email again, with a fresh count of attempts; `CONFLICT`
    /// for an email that is not parked.
    async fn resend_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The parked email's id.")] id: ID,
    ) -> Result<EmailNode> {
        let id: EmailId = parse_id("id", &id)?;
        in_city!(ctx, ADMINS, |tx, _| outbox::requeue(&mut tx, id).await?).map(EmailNode)
    }
}
