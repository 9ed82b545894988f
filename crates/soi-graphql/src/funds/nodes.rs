//! What chapter admins see of the city's money: sponsors, contributions,
//! causes, expenses and gifts, and what recording one returns.

use super::ledger::EntryNode;
use crate::plumbing::args::to_id;
use crate::plumbing::mirror_enum;
use crate::shared::date::Date;
use crate::shared::money::Tiyn;
use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use soi_db::funds::causes::{Cause, CauseSummary};
use soi_db::funds::contributions::Contribution;
use soi_db::funds::disbursements::Disbursement;
use soi_db::funds::expenses::Expense;
use soi_db::funds::sponsors::Sponsor;

mirror_enum! {
    /// Who a sponsor is.
    SponsorKind <=> soi_db::funds::SponsorKind {
        /// A company, foundation or public body.
        Organization,
        /// A private person.
        Person,
    }
}

mirror_enum! {
    /// What a contribution is made of.
    ContributionForm <=> soi_db::funds::ContributionForm {
        /// Money: it enters the ledger when received.
        Money,
        /// Goods or services at an estimated value; never in the ledger.
        InKind,
    }
}

mirror_enum! {
    /// Where a contribution stands.
    ContributionStatus <=> soi_db::funds::ContributionStatus {
        /// Promised, not yet received.
        Pledged,
        /// Received (money: in the ledger).
        Received,
        /// Its ledger entry was reversed.
        Reversed,
    }
}

pub struct SponsorNode(pub Sponsor);

/// An organization or person who gives to the chapter (admins only).
#[Object(name = "Sponsor")]
impl SponsorNode {
    /// The sponsor's id.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Organization or person.
    async fn kind(&self) -> SponsorKind {
        self.0.kind.into()
    }
    /// Name, unique in the city.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whom to talk to.
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    /// The contact's email.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }
    /// The contact's phone, E.164.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }
    /// When the sponsor was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct ContributionNode(pub Contribution);

/// A sponsor's contribution: pledged, then received.
#[Object(name = "Contribution")]
impl ContributionNode {
    /// The contribution's id.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The sponsor's id.
    async fn sponsor_id(&self) -> ID {
        to_id(self.0.sponsor_id)
    }
    /// Money or in kind.
    async fn form(&self) -> ContributionForm {
        self.0.form.into()
    }
    /// Pledged, received or reversed.
    async fn status(&self) -> ContributionStatus {
        self.0.status.into()
    }
    /// Money: the amount; in kind: the estimated value.
    async fn amount(&self) -> Tiyn {
        Tiyn(self.0.amount_tiyn)
    }
    /// What is given in kind, or a note.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// What it is for.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }
    /// The day it was promised.
    async fn pledged_on(&self) -> Date {
        Date(self.0.pledged_on)
    }
    /// The day it was received.
    async fn received_on(&self) -> Option<Date> {
        self.0.received_on.map(Date)
    }
}

pub struct CauseNode(pub CauseSummary);

/// A social cause the chapter gives to.
#[Object(name = "Cause")]
impl CauseNode {
    /// The cause's id.
    async fn id(&self) -> ID {
        to_id(self.0.cause.id)
    }
    /// Title, unique in the city.
    async fn title(&self) -> &str {
        &self.0.cause.title
    }
    /// What the cause is about.
    async fn description(&self) -> &str {
        &self.0.cause.description
    }
    /// Who is helped, in words.
    async fn beneficiaries(&self) -> &str {
        &self.0.cause.beneficiaries
    }
    /// The amount the chapter aims to give, if set.
    async fn target(&self) -> Option<Tiyn> {
        self.0.cause.target_tiyn.map(Tiyn)
    }
    /// Given so far: disbursements not reversed.
    async fn given(&self) -> Tiyn {
        Tiyn(self.0.given_tiyn)
    }
    /// People helped by disbursements not reversed.
    async fn beneficiaries_helped(&self) -> i64 {
        self.0.beneficiaries_helped
    }
}

impl From<Cause> for CauseNode {
    fn from(cause: Cause) -> Self {
        Self(CauseSummary {
            cause,
            given_tiyn: 0,
            beneficiaries_helped: 0,
        })
    }
}

/// Money the chapter spent.
#[derive(SimpleObject)]
#[graphql(name = "Expense")]
pub struct ExpenseNode {
    /// The expense's id.
    pub id: ID,
    /// Kind of spending, e.g. `ice_rent`.
    pub tag: String,
    /// How much.
    pub amount: Tiyn,
    /// The day the money was spent.
    pub spent_on: Date,
    /// What it was for.
    pub description: String,
    /// A link to the receipt.
    pub receipt_url: Option<String>,
}

impl From<Expense> for ExpenseNode {
    fn from(e: Expense) -> Self {
        Self {
            id: to_id(e.id),
            tag: e.tag,
            amount: Tiyn(e.amount_tiyn),
            spent_on: Date(e.spent_on),
            description: e.description,
            receipt_url: e.receipt_url,
        }
    }
}

/// Money given to a social cause.
#[derive(SimpleObject)]
#[graphql(name = "Disbursement")]
pub struct DisbursementNode {
    /// The disbursement's id.
    pub id: ID,
    /// The cause's id.
    pub cause_id: ID,
    /// How much.
    pub amount: Tiyn,
    /// The day it was paid.
    pub paid_on: Date,
    /// A link to proof of payment.
    pub evidence_url: String,
    /// People it helps.
    pub beneficiaries: i32,
    /// What it paid for.
    pub description: String,
}

impl From<Disbursement> for DisbursementNode {
    fn from(d: Disbursement) -> Self {
        Self {
            id: to_id(d.id),
            cause_id: to_id(d.cause_id),
            amount: Tiyn(d.amount_tiyn),
            paid_on: Date(d.paid_on),
            evidence_url: d.evidence_url,
            beneficiaries: d.beneficiaries,
            description: d.description,
        }
    }
}

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
