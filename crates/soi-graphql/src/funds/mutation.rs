//! Changing the city's money: chapter admins only. Each movement writes its
//! ledger entry in the same transaction (and the audit row, via `in_city`).

use super::inputs::{
    CauseInput, ContactInput, ExpenseInput, GiftInput, PledgeInput, SponsorInput, day,
};
use super::ledger::EntryNode;
use super::nodes::{
    CauseNode, ContributionNode, ContributionReceived, ExpenseRecorded, GiftRecorded, SponsorNode,
};
use crate::plumbing::{in_city, parse_id};
use crate::shared::date::Date;
use crate::shared::money::Tiyn;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{CauseId, ContributionId, DisbursementId, ExpenseId, SponsorId};
use soi_db::funds::{causes, contributions, ledger, sponsors};

#[derive(Default)]
pub struct FundsMutation;

#[Object]
impl FundsMutation {
    /// Adds a sponsor; the name must be new in the city.
    async fn create_sponsor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sponsor's details.")] input: SponsorInput,
    ) -> Result<SponsorNode> {
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            sponsors::create(tx, SponsorId::new(), &new).await
        })
        .await
        .map(SponsorNode)
    }

    /// Replaces a sponsor's contact (a part left out is cleared).
    async fn update_sponsor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sponsor's id.")] id: ID,
        #[graphql(desc = "The new contact.")] contact: ContactInput,
    ) -> Result<SponsorNode> {
        let id: SponsorId = parse_id("id", &id)?;
        let contact = contact.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            sponsors::update_contact(tx, id, &contact).await
        })
        .await
        .map(SponsorNode)
    }

    /// Records a sponsor's promise of money or of something in kind.
    async fn pledge_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The promise.")] input: PledgeInput,
    ) -> Result<ContributionNode> {
        let pledge = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            contributions::pledge(tx, ContributionId::new(), &pledge).await
        })
        .await
        .map(ContributionNode)
    }

    /// Marks a pledge received; money enters the ledger. Receiving twice is
    /// a CONFLICT.
    async fn receive_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contribution's id.")] id: ID,
        #[graphql(desc = "The day it was received.")] received_on: Date,
    ) -> Result<ContributionReceived> {
        let id: ContributionId = parse_id("id", &id)?;
        let received_on = day("receivedOn", received_on)?;
        let (c, entry, balance) = in_city(ctx, ADMINS, async |tx, _| {
            let (c, entry) = soi_service::funds::receive(tx, id, received_on).await?;
            Ok((c, entry, ledger::balance(tx).await?))
        })
        .await?;
        Ok(ContributionReceived {
            contribution: ContributionNode(c),
            ledger_entry: entry.map(EntryNode),
            balance: Tiyn(balance),
        })
    }

    /// Adds a social cause; the title must be new in the city.
    async fn create_cause(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cause's details.")] input: CauseInput,
    ) -> Result<CauseNode> {
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            causes::create(tx, CauseId::new(), &new).await
        })
        .await
        .map(CauseNode::from)
    }

    /// Records money spent, even beyond the balance (it was spent already).
    async fn record_expense(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The expense.")] input: ExpenseInput,
    ) -> Result<ExpenseRecorded> {
        let new = input.validate()?;
        let (expense, entry, balance) = in_city(ctx, ADMINS, async |tx, _| {
            let (e, entry) = soi_service::funds::record_expense(tx, ExpenseId::new(), &new).await?;
            Ok((e, entry, ledger::balance(tx).await?))
        })
        .await?;
        Ok(ExpenseRecorded {
            expense: expense.into(),
            ledger_entry: EntryNode(entry),
            balance: Tiyn(balance),
        })
    }

    /// Gives money to a cause of the city; a CONFLICT when the balance does
    /// not cover it.
    async fn give_to_cause(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The gift.")] input: GiftInput,
    ) -> Result<GiftRecorded> {
        let new = input.validate()?;
        let (gift, entry, balance) = in_city(ctx, ADMINS, async |tx, _| {
            let (d, entry) = soi_service::funds::give(tx, DisbursementId::new(), &new).await?;
            Ok((d, entry, ledger::balance(tx).await?))
        })
        .await?;
        Ok(GiftRecorded {
            disbursement: gift.into(),
            ledger_entry: EntryNode(entry),
            balance: Tiyn(balance),
        })
    }
}
