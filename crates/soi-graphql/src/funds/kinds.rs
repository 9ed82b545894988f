//! The money enums as GraphQL sees them, mirroring the db layer's codes.

use crate::support::mirror_enum;

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

mirror_enum! {
    /// The kind of a ledger entry.
    LedgerKind <=> soi_db::ledger::Kind {
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
