//! Reading one application: chapter admins.

use super::nodes::ApplicationNode;
use crate::plumbing::{found, in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::EnrollmentId;
use soi_db::program::enrollments;

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// One application of the city; null when there is none with this id here.
    async fn application(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ApplicationNode>> {
        let id: EnrollmentId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            found(enrollments::get(tx, id).await)
        })
        .await
        .map(|e| e.map(ApplicationNode))
    }
}
