//! Ledger entries as chapter admins see them.

use crate::plumbing::args::to_id;
use crate::plumbing::mirror_enum;
use crate::shared::money::Tiyn;
use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use soi_db::funds::ledger::Entry;

mirror_enum! {
    /// The kind of a ledger entry.
    LedgerKind <=> soi_db::funds::ledger::Kind {
        /// A sponsor's money received (in).
        Contribution,
        /// A ticket order paid (in).
        TicketSale,
        /// A ticket order refunded (out).
        Refund,
        /// Money spent (out).
        Expense,
        /// Money given to a social cause (out).
        Disbursement,
        /// The correction of an earlier entry (its amount negated).
        Reversal,
    }
}

pub struct EntryNode(pub Entry);

/// One movement of money in the city's append-only ledger.
#[Object(name = "LedgerEntry")]
impl EntryNode {
    /// The entry's id.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// What caused it.
    async fn kind(&self) -> async_graphql::Result<LedgerKind> {
        // The table's check allows only the known codes.
        Ok(soi_db::funds::ledger::Kind::parse(&self.0.kind)
            .map_err(|e| async_graphql::Error::new(e.to_string()))?
            .into())
    }
    /// Signed: positive came in, negative went out.
    async fn amount(&self) -> Tiyn {
        Tiyn(self.0.amount_tiyn)
    }
    /// The contribution received (kind CONTRIBUTION).
    async fn contribution_id(&self) -> Option<ID> {
        self.0.contribution_id.map(to_id)
    }
    /// The ticket order (kinds TICKET_SALE and REFUND).
    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.map(to_id)
    }
    /// The expense (kind EXPENSE).
    async fn expense_id(&self) -> Option<ID> {
        self.0.expense_id.map(to_id)
    }
    /// The gift to a cause (kind DISBURSEMENT).
    async fn disbursement_id(&self) -> Option<ID> {
        self.0.disbursement_id.map(to_id)
    }
    /// The entry this one reverses (kind REVERSAL).
    async fn reverses_id(&self) -> Option<ID> {
        self.0.reverses_id.map(to_id)
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

/// A ledger entry cancelled by its reversal.
#[derive(SimpleObject)]
pub struct EntryReversed {
    /// The reversing entry.
    pub ledger_entry: EntryNode,
    /// The city's balance after it.
    pub balance: Tiyn,
}
