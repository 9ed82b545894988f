//! What chapter admins see of the city's money: sponsors, contributions,
//! causes, expenses, gifts and ledger entries.

use crate::money::Tiyn;
use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use soi_db::funds::causes::{Cause, CauseSummary};
use soi_db::funds::contributions::Contribution;
use soi_db::funds::disbursements::Disbursement;
use soi_db::funds::expenses::Expense;
use soi_db::funds::sponsors::Sponsor;
use soi_db::ledger::Entry;

pub use super::kinds::{ContributionForm, ContributionStatus, LedgerKind, SponsorKind};

fn id(u: impl ToString) -> ID {
    ID(u.to_string())
}

pub struct SponsorNode(pub Sponsor);

/// An organization or person who gives to the chapter (admins only).
#[Object(name = "Sponsor")]
impl SponsorNode {
    /// The sponsor's id.
    async fn id(&self) -> ID {
        id(self.0.id)
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
        id(self.0.id)
    }
    /// The sponsor's id.
    async fn sponsor_id(&self) -> ID {
        id(self.0.sponsor_id)
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
    async fn pledged_on(&self) -> NaiveDate {
        self.0.pledged_on
    }
    /// The day it was received.
    async fn received_on(&self) -> Option<NaiveDate> {
        self.0.received_on
    }
}

pub struct CauseNode(pub CauseSummary);

/// A social cause the chapter gives to.
#[Object(name = "Cause")]
impl CauseNode {
    /// The cause's id.
    async fn id(&self) -> ID {
        id(self.0.cause.id)
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

pub struct EntryNode(pub Entry);

/// One movement of money in the city's append-only ledger.
#[Object(name = "LedgerEntry")]
impl EntryNode {
    /// The entry's id.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// What caused it.
    async fn kind(&self) -> async_graphql::Result<LedgerKind> {
        // The table's check allows only the known codes.
        Ok(soi_db::ledger::Kind::parse(&self.0.kind)
            .map_err(|e| async_graphql::Error::new(e.to_string()))?
            .into())
    }
    /// Signed: positive came in, negative went out.
    async fn amount(&self) -> Tiyn {
        Tiyn(self.0.amount_tiyn)
    }
    /// The contribution received (kind CONTRIBUTION).
    async fn contribution_id(&self) -> Option<ID> {
        self.0.contribution_id.map(id)
    }
    /// The ticket order (kinds TICKET_SALE and REFUND).
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(id)
    }
    /// The expense (kind EXPENSE).
    async fn expense_id(&self) -> Option<ID> {
        self.0.expense_id.map(id)
    }
    /// The gift to a cause (kind DISBURSEMENT).
    async fn disbursement_id(&self) -> Option<ID> {
        self.0.disbursement_id.map(id)
    }
    /// The entry this one reverses (kind REVERSAL).
    async fn reverses_id(&self) -> Option<ID> {
        self.0.reverses_id.map(id)
    }
    /// A note, e.g. why an entry was reversed.
    async fn memo(&self) -> Option<&str> {
        self.0.memo.as_deref()
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
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
    pub spent_on: NaiveDate,
    /// What it was for.
    pub description: String,
    /// A link to the receipt.
    pub receipt_url: Option<String>,
}

impl From<Expense> for ExpenseNode {
    fn from(e: Expense) -> Self {
        Self {
            id: id(e.id),
            tag: e.tag,
            amount: Tiyn(e.amount_tiyn),
            spent_on: e.spent_on,
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
    pub paid_on: NaiveDate,
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
            id: id(d.id),
            cause_id: id(d.cause_id),
            amount: Tiyn(d.amount_tiyn),
            paid_on: d.paid_on,
            evidence_url: d.evidence_url,
            beneficiaries: d.beneficiaries,
            description: d.description,
        }
    }
}
