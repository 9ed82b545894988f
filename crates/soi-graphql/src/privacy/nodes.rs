//! What the personal-data mutations return.

use crate::program::applications::ApplicationNode;
use crate::shared::nodes::ParticipantNode;
use async_graphql::{ID, SimpleObject};
use soi_service::privacy::{Erasure, Withdrawal};

/// A withdrawal of consent and what it ended.
#[derive(SimpleObject)]
pub struct ConsentWithdrawal {
    /// The participant, with `consentWithdrawnAt` and `erasureDueAt` set.
    pub participant: ParticipantNode,
    /// Applications the withdrawal ended (empty when it was repeated).
    pub withdrawn: Vec<ApplicationNode>,
    /// Waitlisted applications that got the freed seats.
    pub promoted: Vec<ApplicationNode>,
}

impl From<Withdrawal> for ConsentWithdrawal {
    fn from(w: Withdrawal) -> Self {
        Self {
            participant: ParticipantNode(w.participant),
            withdrawn: w.withdrawn.into_iter().map(ApplicationNode).collect(),
            promoted: w.promoted.into_iter().map(ApplicationNode).collect(),
        }
    }
}

/// What an erasure changed, in counts that name nobody.
#[derive(SimpleObject)]
pub struct ErasureResult {
    /// The erased participant's id (the row stays, with placeholders).
    pub participant_id: ID,
    /// False when the participant had been erased before (nothing changed).
    pub erased: bool,
    /// Whether a sign-in account was erased (and its sessions ended).
    pub account_erased: bool,
    /// Ticket orders whose buyer was this person.
    pub ticket_orders: i64,
    /// Unsent emails deleted.
    pub emails_deleted: i64,
    /// Sent emails whose address and content were removed.
    pub emails_scrubbed: i64,
}

impl ErasureResult {
    pub fn new(id: soi_core::ParticipantId, e: Erasure) -> Self {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            participant_id: ID(id.to_string()),
            erased: e.erased,
            account_erased: e.account,
            ticket_orders: count(e.ticket_orders),
            emails_deleted: count(e.emails_deleted),
            emails_scrubbed: count(e.emails_scrubbed),
        }
    }
}
