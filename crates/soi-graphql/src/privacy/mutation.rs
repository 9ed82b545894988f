//! Withdrawing consent and erasing. Every one is a root mutation, so the
//! audit log records it (operation, actor, ids; never a name or address).

use super::nodes::{ConsentWithdrawal, ErasureResult};
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::in_scope;
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{ParticipantId, Role};
use soi_service::privacy::{self, Policy};

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Withdraws the signed-in participant's consent to personal-data
    /// processing. Their open applications are withdrawn (freed seats go to
    /// the waitlist), they leave their groups, lists and searches, get no
    /// more email but the confirmation, and their data is erased after the
    /// grace period. Repeating it changes nothing.
    async fn withdraw_my_consent(&self, ctx: &Context<'_>) -> Result<ConsentWithdrawal> {
        let policy = *ctx.data::<Policy>()?;
        let req = ctx.data::<RequestCtx>()?;
        let (scope, who) = req.city_scope(&[Role::Participant])?;
        let me = who.participant();
        // Only their own row (the id is the token's); the withdrawal frees
        // seats that go to applicants their own scope cannot see.
        in_scope(ctx, scope.on_behalf(), async |tx| {
            let me = me.ok_or(soi_db::Error::NotFound("participant"))?;
            privacy::withdraw_consent(tx, &policy, me).await
        })
        .await
        .map(ConsentWithdrawal::from)
    }

    /// Records a participant's withdrawal of consent on their behalf (they
    /// told the chapter by letter or in person), with the same effects as
    /// `withdrawMyConsent`.
    async fn withdraw_consent(
        &self,
        ctx: &Context<'_>,
        participant_id: ID,
    ) -> Result<ConsentWithdrawal> {
        let id: ParticipantId = parse_id("participantId", &participant_id)?;
        let policy = *ctx.data::<Policy>()?;
        in_city(ctx, ADMINS, async |tx, _| {
            privacy::withdraw_consent(tx, &policy, id).await
        })
        .await
        .map(ConsentWithdrawal::from)
    }

    /// Erases a participant's personal data now, in one transaction (their
    /// record, account, applications' motivation, coaches' notes, ticket
    /// orders bought with their address, emails and unsubscribe links). Every
    /// figure (reports, rollups, ledger, transparency) stays as it was.
    /// Erasing again changes nothing.
    async fn erase_participant(&self, ctx: &Context<'_>, id: ID) -> Result<ErasureResult> {
        let id: ParticipantId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| privacy::erase(tx, id).await)
            .await
            .map(|e| ErasureResult::new(id, e))
    }
}
