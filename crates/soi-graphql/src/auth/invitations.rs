//! Invitations: chapter admins invite staff and accepted participants; the
//! invitee accepts with the emailed token (public) and is signed in.

use super::nodes::{AuthPayload, Invitation, StaffRole};
use super::tokens::{AuthSettings, check_policy, hash, issue};
use crate::plumbing::args::{Valid, bad_input, parse_id};
use crate::plumbing::error::{ErrorCode, db_error};
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::{check_first, in_city, national};
use crate::plumbing::throttle;
use crate::shared::lang::Lang;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ErrorExtensions, ID, Object, Result};
use soi_core::{CityScope, CoachId, Email, ParticipantId};
use soi_db::auth::invitations::{self as db_invitations, Accepted};
use soi_service::auth::invitations::{self, Invite};

#[derive(Default)]
pub struct InvitationMutation;

#[Object]
impl InvitationMutation {
    /// Invites a chapter admin or a coach of your city (a coach's account
    /// acts as one coach record, which must have no account yet). The
    /// invitee gets a single-use link by email, in `language`; inviting the
    /// same address again replaces the pending invitation.
    async fn invite_staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitee's email address.")] email: String,
        #[graphql(desc = "What the account will be.")] role: StaffRole,
        #[graphql(desc = "The coach record a coach's account acts as.")] coach_id: Option<ID>,
        #[graphql(desc = "The email's language (Russian by default).")] language: Option<Lang>,
    ) -> Result<Invitation> {
        let email = Email::parse(&email).valid()?;
        let coach: Option<CoachId> = coach_id.map(|c| parse_id("coachId", &c)).transpose()?;
        let links = &ctx.data::<AuthSettings>()?.links;
        let made = in_city(ctx, ADMINS, async |tx, who| {
            invitations::invite(
                tx,
                links,
                &Invite {
                    email,
                    role: role.into(),
                    coach,
                    participant: None,
                    language: language.map_or(soi_core::Language::Ru, Into::into),
                    invited_by: Some(who.account()),
                },
            )
            .await
        })
        .await?;
        Ok(made.into())
    }

    /// Invites an accepted participant to their self-service account (at
    /// the address on their record, in their language unless given).
    async fn invite_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An accepted participant of your city.")] participant_id: ID,
        #[graphql(desc = "The email's language (the participant's by default).")] language: Option<
            Lang,
        >,
    ) -> Result<Invitation> {
        let participant: ParticipantId = parse_id("participantId", &participant_id)?;
        let links = &ctx.data::<AuthSettings>()?.links;
        let made = in_city(ctx, ADMINS, async |tx, who| {
            invitations::invite_participant(
                tx,
                links,
                participant,
                language.map(Into::into),
                Some(who.account()),
            )
            .await
        })
        .await?;
        Ok(made.into())
    }

    /// Revokes a pending invitation of your city: its link stops working.
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A pending invitation of your city.")] invitation_id: ID,
    ) -> Result<Invitation> {
        let id: uuid::Uuid = parse_id("invitationId", &invitation_id)?;
        let done = in_city(ctx, ADMINS, async |tx, _| {
            soi_service::auth::staff::revoke_invitation(tx, id).await
        })
        .await?;
        Ok(done.into())
    }
}

#[derive(Default)]
pub struct InvitationPublicMutation;

#[Object]
impl InvitationPublicMutation {
    /// Accepts an invitation with the token from its email: creates your
    /// account with this password and signs you in. A token works once and
    /// expires; an unknown, used, revoked or expired one is `BAD_USER_INPUT`
    /// on `token` with `extensions.reason` (`UNKNOWN`, `USED`, `REVOKED`,
    /// `EXPIRED`).
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token from the invitation's link.")] token: String,
        #[graphql(desc = "Your new password (10+ characters, not a common one).")] password: String,
        #[graphql(desc = "The language of your emails (the invitation's by default).")]
        language: Option<Lang>,
    ) -> Result<AuthPayload> {
        if token.len() > 200 {
            return Err(token_error("UNKNOWN"));
        }
        let client = throttle::client(ctx);
        throttle::check(
            ctx,
            soi_cache::Scope::National,
            throttle::ACCEPT_PER_CLIENT,
            &client,
        )
        .await?;
        let token_hash = soi_auth::token_hash(token.trim());
        let target = national(ctx, async |tx| {
            db_invitations::target_of_token(tx, &token_hash).await
        })
        .await?;
        let Some(db_invitations::Target { city, email, state }) = target else {
            return Err(token_error("UNKNOWN"));
        };
        // Refused before the password is hashed (checked again under a lock).
        match state.as_str() {
            "pending" => {}
            "used" => return Err(token_error("USED")),
            "revoked" => return Err(token_error("REVOKED")),
            _ => return Err(token_error("EXPIRED")),
        }
        check_policy(&password, &email, "password")?;
        let password_hash = hash(ctx, password).await?;
        let request_id = ctx.data::<RequestCtx>()?.request_id().to_owned();
        let language = language.map(Into::into);
        let rid = Some(request_id.as_str());
        let accepted = match city {
            Some(city) => {
                check_first(ctx, CityScope::for_public(city), async |tx| {
                    invitations::accept(tx, &token_hash, &password_hash, language, rid).await
                })
                .await?
            }
            None => {
                national(ctx, async |tx| {
                    invitations::accept(tx, &token_hash, &password_hash, language, rid).await
                })
                .await?
            }
        };
        let (account, role, coach, participant, version) = match accepted {
            Accepted::Account {
                account,
                role,
                coach,
                participant,
                version,
                ..
            } => (account, role, coach, participant, version),
            Accepted::Unknown => return Err(token_error("UNKNOWN")),
            Accepted::Used => return Err(token_error("USED")),
            Accepted::Revoked => return Err(token_error("REVOKED")),
            Accepted::Expired => return Err(token_error("EXPIRED")),
            Accepted::EmailTaken => {
                return Err(ErrorCode::Conflict
                    .error("this email already has an account: sign in, or reset its password"));
            }
        };
        let principal = soi_core::Principal::new(account, role, city, coach, participant)
            .ok_or_else(|| ErrorCode::Internal.error("the new account is inconsistent"))?;
        let db = ctx.data::<soi_db::Db>()?;
        let req = ctx.data::<RequestCtx>()?;
        soi_service::auth::sign_in::succeeded(db, &principal, Some(req.request_id()))
            .await
            .map_err(|e| db_error(e, req.request_id()))?;
        issue(ctx, &principal, version, uuid::Uuid::now_v7()).await
    }
}

fn token_error(reason: &'static str) -> async_graphql::Error {
    let message = match reason {
        "USED" => "this invitation was already used",
        "REVOKED" => "this invitation was revoked",
        "EXPIRED" => "this invitation has expired; ask for a new one",
        _ => "this invitation link is not valid",
    };
    bad_input("token", message).extend_with(move |_, x| x.set("reason", reason))
}
