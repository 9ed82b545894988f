//! The money of a city: sponsors and their contributions, social causes and
//! what is given to them, expenses, the ledger, and the public transparency
//! report. Every movement of money writes its ledger entry ([`ledger`]) in
//! the same transaction (the flows are `soi_service::funds`); balances are
//! sums of the ledger. Every query runs inside a [`crate::TenantTx`] and
//! names `city_id = $1` on every city table it touches.
//!
//! One file per table; this module holds the input rules and the stored
//! kinds the tables share.

pub mod causes;
pub mod contributions;
pub mod disbursements;
pub mod expenses;
pub mod ledger;
pub mod sponsors;
pub mod transparency;

use soi_core::{InputError, InputResult};

/// The largest single amount accepted (100 billion tenge, in tiyn): far above
/// any real movement, and low enough that no sum of a city's ledger nears
/// `i64::MAX`.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

/// A positive amount of tiyn, at most [`MAX_AMOUNT`].
pub fn check_amount(field: &'static str, tiyn: i64) -> InputResult<i64> {
    if tiyn <= 0 {
        return Err(InputError::new(field, "must be greater than zero"));
    }
    if tiyn > MAX_AMOUNT {
        return Err(InputError::new(
            field,
            format!("must be at most {MAX_AMOUNT} tiyn"),
        ));
    }
    Ok(tiyn)
}

/// An `http(s)://` link of at most 400 characters without spaces.
pub fn check_url(field: &'static str, url: &str) -> InputResult<String> {
    let url = url.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().count() <= 400
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(url.to_owned())
    } else {
        Err(InputError::new(
            field,
            "must be an http(s):// link of at most 400 characters",
        ))
    }
}

/// Tiyn as tenge for messages: `1234.50`.
pub fn tenge(tiyn: i64) -> String {
    let sign = if tiyn < 0 { "-" } else { "" };
    let abs = tiyn.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

soi_core::text_enum! {
    /// Who a sponsor is.
    SponsorKind, "kind" {
        /// A company, foundation or public body.
        Organization => "organization",
        /// A private person.
        Person => "person",
    }
}

soi_core::text_enum! {
    /// What a contribution is made of.
    ContributionForm, "form" {
        /// Money: it enters the ledger when received.
        Money => "money",
        /// Goods or services at an estimated value: never in the ledger.
        InKind => "in_kind",
    }
}

soi_core::text_enum! {
    /// Where a contribution stands.
    ContributionStatus, "status" {
        /// Promised, not yet received.
        Pledged => "pledged",
        /// Received (money: in the ledger).
        Received => "received",
        /// Its ledger entry was reversed.
        Reversed => "reversed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_and_bounded() {
        assert!(check_amount("amount", 0).is_err());
        assert!(check_amount("amount", -5).is_err());
        assert!(check_amount("amount", MAX_AMOUNT + 1).is_err());
        assert_eq!(check_amount("amount", 1), Ok(1));
    }

    #[test]
    fn links_are_http_without_spaces() {
        assert!(check_url("u", "https://example.kz/receipt/1").is_ok());
        assert!(check_url("u", "ftp://example.kz").is_err());
        assert!(check_url("u", "https://a b").is_err());
        assert!(check_url("u", "https://").is_err());
    }

    #[test]
    fn tenge_shows_two_decimals() {
        assert_eq!(tenge(123_450), "1234.50");
        assert_eq!(tenge(-5), "-0.05");
        assert_eq!(tenge(i64::MIN), "-92233720368547758.08");
    }
}
