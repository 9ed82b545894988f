//! Reading the city's coaches and their certificates: chapter admins and coaches.

use super::nodes::{CertificateNode, CoachNode};
use crate::plumbing::{bad_input, found, in_city, page, parse_id};
use crate::shared::roles::STAFF;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use chrono::{Days, Utc};
use soi_core::CoachId;
use soi_db::program::{coach_certificates, coaches};

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
        let (page, pager) = page::<CoachId>(first, after.as_deref())?;
        let rows = in_city(ctx, STAFF, async |tx, _| coaches::list(tx, page).await).await?;
        Ok(pager.connection(rows, |c| c.id.to_string(), CoachNode))
    }

    /// One coach of the city; null when there is none with this id here.
    async fn coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach's id.")] id: ID,
    ) -> Result<Option<CoachNode>> {
        let id: CoachId = parse_id("id", &id)?;
        in_city(ctx, STAFF, async |tx, _| found(coaches::get(tx, id).await))
            .await
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
        let rows = in_city(ctx, STAFF, async |tx, _| {
            coach_certificates::certificates_expiring(tx, by).await
        })
        .await?;
        Ok(rows.into_iter().map(CertificateNode).collect())
    }
}
