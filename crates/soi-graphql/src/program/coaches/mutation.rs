//! Adding coaches and their certificates: chapter admins only.

use super::inputs::{CertificateInput, CoachInput};
use super::nodes::{CertificateNode, CoachNode};
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{CertificateId, CoachId};
use soi_db::program::{coach_certificates, coaches};

#[derive(Default)]
pub struct CoachMutation;

#[Object]
impl CoachMutation {
    /// Adds a coach to the city's chapter; the email must be new among its coaches.
    async fn create_coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach's details.")] input: CoachInput,
    ) -> Result<CoachNode> {
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            coaches::insert(tx, CoachId::new(), &new).await
        })
        .await
        .map(CoachNode)
    }

    /// Records a certificate of a coach of the city.
    async fn add_certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coach who holds it.")] coach_id: ID,
        #[graphql(desc = "The certificate.")] input: CertificateInput,
    ) -> Result<CertificateNode> {
        let coach: CoachId = parse_id("coachId", &coach_id)?;
        let new = input.validate()?;
        // A coach of another city fails the (city_id, coach_id) foreign key,
        // which the db layer reports as NOT_FOUND: the same as a missing one.
        in_city(ctx, ADMINS, async |tx, _| {
            coach_certificates::add_certificate(tx, CertificateId::new(), coach, &new).await
        })
        .await
        .map(CertificateNode)
    }
}
