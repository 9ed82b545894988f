//! Sending a parked email again: chapter admins only.

use super::nodes::EmailNode;
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::EmailId;
use soi_db::mail::outbox;

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
        in_city(ctx, ADMINS, async |tx, _| outbox::requeue(tx, id).await)
            .await
            .map(EmailNode)
    }
}
