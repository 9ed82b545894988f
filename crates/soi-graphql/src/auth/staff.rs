//! A city's staff for its chapter admins: the accounts, the open
//! invitations, and disabling, enabling or changing a role (each of which
//! ends the account's sessions within seconds).

use super::nodes::{Staff, StaffAccount, StaffRole};
use crate::plumbing::args::parse_id;
use crate::plumbing::run::in_city;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::CoachId;
use soi_service::auth::staff;

#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// Your city's chapter admins and coaches with their status and last
    /// sign-in, and the invitations not yet accepted. Chapter admins only.
    async fn staff(&self, ctx: &Context<'_>) -> Result<Staff> {
        let list = in_city(ctx, ADMINS, async |tx, _| staff::list(tx).await).await?;
        Ok(Staff {
            accounts: list.accounts.into_iter().map(Into::into).collect(),
            pending_invitations: list.pending.into_iter().map(Into::into).collect(),
        })
    }
}

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Disables an account of your city (not your own): it can no longer
    /// sign in, and its open sessions and subscriptions end within seconds.
    async fn disable_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An account of your city.")] account_id: ID,
    ) -> Result<StaffAccount> {
        let id: uuid::Uuid = parse_id("accountId", &account_id)?;
        let done = in_city(ctx, ADMINS, async |tx, who| {
            staff::set_disabled(tx, who.account(), id, true).await
        })
        .await?;
        Ok(done.into())
    }

    /// Enables a disabled account of your city again.
    async fn enable_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An account of your city.")] account_id: ID,
    ) -> Result<StaffAccount> {
        let id: uuid::Uuid = parse_id("accountId", &account_id)?;
        let done = in_city(ctx, ADMINS, async |tx, who| {
            staff::set_disabled(tx, who.account(), id, false).await
        })
        .await?;
        Ok(done.into())
    }

    /// Makes a staff account of your city (not your own) a chapter admin or
    /// a coach (acting as `coachId`). Its sessions end; it signs in again
    /// with the new role.
    async fn change_staff_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A staff account of your city.")] account_id: ID,
        #[graphql(desc = "The new role.")] role: StaffRole,
        #[graphql(desc = "For a coach: the coach record the account acts as.")] coach_id: Option<
            ID,
        >,
    ) -> Result<StaffAccount> {
        let id: uuid::Uuid = parse_id("accountId", &account_id)?;
        let coach: Option<CoachId> = coach_id.map(|c| parse_id("coachId", &c)).transpose()?;
        let done = in_city(ctx, ADMINS, async |tx, who| {
            staff::change_role(tx, who.account(), id, role.into(), coach).await
        })
        .await?;
        Ok(done.into())
    }
}
