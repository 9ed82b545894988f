//! Changing the city's money: chapter admins only. Each movement writes its
//! ledger entry in the same transaction (and the audit row, via `in_city!`).

use super::inputs::{
    CauseInput, ContactInput, ExpenseInput, GiftInput, PledgeInput, SponsorInput, day, note,
};
use super::nodes::{
    CauseNode, ContributionNode, DisbursementNode, EntryNode, ExpenseNode, SponsorNode,
};
use crate::money::Tiyn;
use crate::seasons::ADMINS;
use crate::support::{in_city, parse_id};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use soi_core::{CauseId, ContributionId, DisbursementId, ExpenseId, LedgerEntryId, SponsorId};
use soi_db::funds::{causes, contributions, sponsors};
use soi_db::ledger;

/// A contribution marked received.
#[derive(SimpleObject)]
pub struct ContributionReceived {
    /// The contribution, now received.
    pub contribution: ContributionNode,
    /// Its ledger entry; null for a contribution in kind (not cash).
    pub ledger_entry: Option<EntryNode>,
    /// The city's balance after it.
    pub balance: Tiyn,
}

/// An expense recorded.
#[derive(SimpleObject)]
pub struct ExpenseRecorded {
    /// The expense.
    pub expense: ExpenseNode,
    /// Its ledger entry (a negative amount).
    pub ledger_entry: EntryNode,
    /// The city's balance after it; negative when the expense exceeded it.
    pub balance: Tiyn,
}

/// Money given to a cause.
#[derive(SimpleObject)]
pub struct GiftRecorded {
    /// The disbursement.
    pub disbursement: DisbursementNode,
    /// Its ledger entry (a negative amount).
    pub ledger_entry: EntryNode,
    /// The city's balance after it.
    pub balance: Tiyn,
}

/// A ledger entry cancelled by its reversal.
#[derive(SimpleObject)]
pub struct EntryReversed {
    /// The reversing entry.
    pub ledger_entry: EntryNode,
    /// The city's balance after it.
    pub balance: Tiyn,
}

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
        in_city!(ctx, ADMINS, |tx, _| sponsors::create(
            &mut tx,
            SponsorId::new(),
            &new
        )
        .await?)
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
        in_city!(ctx, ADMINS, |tx, _| sponsors::update_contact(
            &mut tx, id, &contact
        )
        .await?)
        .map(SponsorNode)
    }

    /// Records a sponsor's promise of money or of something in kind.
    async fn pledge_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The promise.")] input: PledgeInput,
    ) -> Result<ContributionNode> {
        let pledge = input.validate()?;
        in_city!(ctx, ADMINS, |tx, _| contributions::pledge(
            &mut tx,
            ContributionId::new(),
            &pledge
        )
        .await?)
        .map(ContributionNode)
    }

    /// Marks a pledge received; money enters the ledger. Receiving twice is
    /// a CONFLICT.
    async fn receive_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contribution's id.")] id: ID,
        #[graphql(desc = "The day it was received.")] received_on: NaiveDate,
    ) -> Result<ContributionReceived> {
        let id: ContributionId = parse_id("id", &id)?;
        let received_on = day("receivedOn", received_on)?;
        let (c, entry, balance) = in_city!(ctx, ADMINS, |tx, _| {
            let (c, entry) = soi_service::funds::receive(&mut tx, id, received_on).await?;
            (c, entry, ledger::balance(&mut tx).await?)
        })?;
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
        in_city!(ctx, ADMINS, |tx, _| causes::create(
            &mut tx,
            CauseId::new(),
            &new
        )
        .await?)
        .map(CauseNode::from)
    }

    /// Records money spent, even beyond the balance (it was spent already).
    async fn record_expense(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The expense.")] input: ExpenseInput,
    ) -> Result<ExpenseRecorded> {
        let new = input.validate()?;
        let (expense, entry, balance) = in_city!(ctx, ADMINS, |tx, _| {
            let (e, entry) =
                soi_service::funds::record_expense(&mut tx, ExpenseId::new(), &new).await?;
            (e, entry, ledger::balance(&mut tx).await?)
        })?;
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
        let (gift, entry, balance) = in_city!(ctx, ADMINS, |tx, _| {
            let (d, entry) = soi_service::funds::give(&mut tx, DisbursementId::new(), &new).await?;
            (d, entry, ledger::balance(&mut tx).await?)
        })?;
        Ok(GiftRecorded {
            disbursement: gift.into(),
            ledger_entry: EntryNode(entry),
            balance: Tiyn(balance),
        })
    }

    /// Cancels a contribution, expense or disbursement entry by appending its
    /// negation. Each entry is reversed once; ticket money is corrected by
    /// refunds; a reversal that would leave the balance negative is refused.
    async fn reverse_ledger_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry to reverse.")] entry_id: ID,
        #[graphql(desc = "Why, 1–400 characters.")] memo: String,
    ) -> Result<EntryReversed> {
        let id: LedgerEntryId = parse_id("entryId", &entry_id)?;
        let memo = note("memo", &memo)?;
        let (entry, balance) = in_city!(ctx, ADMINS, |tx, _| {
            let entry = soi_service::funds::reverse(&mut tx, id, &memo).await?;
            (entry, ledger::balance(&mut tx).await?)
        })?;
        Ok(EntryReversed {
            ledger_entry: EntryNode(entry),
            balance: Tiyn(balance),
        })
    }
}
