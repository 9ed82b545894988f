//! Reading the city's parked emails: chapter admins only.

use super::nodes::EmailNode;
use crate::plumbing::{in_city, page};
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use soi_core::EmailId;
use soi_db::mail::outbox;

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
        let (page, pager) = page::<EmailId>(first, after.as_deref())?;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            outbox::list_parked(tx, page).await
        })
        .await?;
        Ok(pager.connection(rows, |e| e.id.to_string(), EmailNode))
    }
}
