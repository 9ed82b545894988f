//! Reading the city's audit log: chapter admins only. (Writing it is
//! plumbing: see `plumbing::audit_trail`.)

use super::nodes::AuditEntryNode;
use crate::plumbing::{in_city, page};
use crate::shared::roles::ADMINS;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use soi_core::AuditId;
use soi_db::audit;

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The city's audit log, newest first (chapter admins).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this operation, e.g. `recordPayment`.")] operation: Option<String>,
        #[graphql(desc = "Entries per page, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last entry seen.")] after: Option<String>,
    ) -> Result<Connection<String, AuditEntryNode>> {
        let (p, pager) = page::<AuditId>(first, after.as_deref())?;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            audit::list(tx, operation.as_deref(), p).await
        })
        .await?;
        Ok(pager.connection(rows, |r| r.id.to_string(), AuditEntryNode))
    }
}
