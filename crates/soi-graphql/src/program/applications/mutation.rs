//! Deciding on and withdrawing applications (a freed seat promotes the
//! waitlist). The rules live in `soi_service::program::applications`; these resolvers
//! parse input and pick the transaction's scope.

use super::inputs::Decision;
use super::nodes::{ApplicationNode, Withdrawal};
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::{check_first, in_scope};
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{EnrollmentId, Role};
use soi_db::program::enrollments;
use soi_service::program::applications as program;

#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
    /// Accepts, waitlists or rejects an application. With
    /// `inviteToAccount` an accepted participant is also invited to their
    /// self-service account, in the same transaction (both or neither).
    async fn decide_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: Decision,
        #[graphql(
            default = false,
            desc = "With an acceptance: also invite the participant to their account."
        )]
        invite_to_account: bool,
    ) -> Result<ApplicationNode> {
        let id: EnrollmentId = parse_id("id", &id)?;
        let next = decision.status();
        let links = &ctx.data::<crate::auth::AuthSettings>()?.links;
        in_city(ctx, ADMINS, async |tx, who| {
            let decided = program::decide(tx, id, next).await?;
            if invite_to_account && decided.status.holds_seat() {
                soi_service::auth::invitations::invite_participant(
                    tx,
                    links,
                    decided.participant_id,
                    None,
                    Some(who.account()),
                )
                .await?;
            }
            Ok(decided)
        })
        .await
        .map(ApplicationNode)
    }

    /// Withdraws an application; a freed seat goes to the first on the waitlist.
    async fn withdraw_application(&self, ctx: &Context<'_>, id: ID) -> Result<Withdrawal> {
        let id: EnrollmentId = parse_id("id", &id)?;
        let req = ctx.data::<RequestCtx>()?;
        let (scope, principal) = req.city_scope(&[Role::ChapterAdmin, Role::Participant])?;
        let scope = match principal.participant() {
            None => scope,
            Some(me) => {
                // Only their own application; another's looks like none at
                // all (their scope hides it too).
                check_first(ctx, scope, async |tx| {
                    let owner = enrollments::get(tx, id).await?.participant_id;
                    if owner == me {
                        Ok(())
                    } else {
                        Err(soi_db::Error::NotFound("application"))
                    }
                })
                .await?;
                // The freed seat goes to the first on the waitlist, whom the
                // participant's own scope cannot see.
                scope.on_behalf()
            }
        };
        let (withdrawn, promoted) =
            in_scope(ctx, scope, async |tx| program::withdraw(tx, id).await).await?;
        Ok(Withdrawal {
            withdrawn: ApplicationNode(withdrawn),
            promoted: promoted.map(ApplicationNode),
        })
    }
}
