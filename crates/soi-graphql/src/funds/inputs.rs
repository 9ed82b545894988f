//! Inputs of the money mutations, each checked whole before anything is
//! written: a bad field is `BAD_USER_INPUT` naming it.

use super::nodes::{ContributionForm, SponsorKind};
use crate::plumbing::{Valid, bad_input, parse_id};
use crate::shared::date::Date;
use crate::shared::money::Tiyn;
use async_graphql::{ID, InputObject, Result};
use chrono::{Days, NaiveDate, Utc};
use soi_core::{Email, PersonName, Phone, text};
use soi_db::funds::causes::NewCause;
use soi_db::funds::contributions::Pledge;
use soi_db::funds::disbursements::{MAX_BENEFICIARIES, NewDisbursement};
use soi_db::funds::expenses::{NewExpense, check_tag};
use soi_db::funds::sponsors::{Contact, NewSponsor};
use soi_db::funds::{check_amount, check_url};

/// Longest note, purpose or description of a movement (the tables' checks).
const MAX_NOTE: usize = 400;

/// A positive amount within the platform's limit.
pub fn amount(field: &'static str, v: Tiyn) -> Result<i64> {
    check_amount(field, v.positive(field)?).valid()
}

/// A day of a movement: not before 2000 and not after tomorrow (UTC, so
/// every city's today passes).
pub fn day(field: &str, d: Date) -> Result<NaiveDate> {
    let d = d.0;
    let latest = Utc::now().date_naive() + Days::new(1);
    match NaiveDate::from_ymd_opt(2000, 1, 1) {
        Some(earliest) if d >= earliest && d <= latest => Ok(d),
        _ => Err(bad_input(field, "must be a day from 2000 up to today")),
    }
}

/// Free text of 1–400 characters (new lines allowed).
pub fn note(field: &'static str, v: &str) -> Result<String> {
    text::bounded(field, v, MAX_NOTE).valid()
}

/// Whom to talk to at a sponsor; every part optional, a part left out is cleared.
#[derive(InputObject)]
pub struct ContactInput {
    /// The contact person's name.
    pub name: Option<String>,
    /// Their email.
    pub email: Option<String>,
    /// Their phone, e.g. +7 701 123 45 67.
    pub phone: Option<String>,
}

impl ContactInput {
    pub fn validate(&self) -> Result<Contact> {
        let name = self
            .name
            .as_deref()
            .map(|n| PersonName::parse("contact.name", n))
            .valid()?;
        let email = self
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(|e| bad_input("contact.email", e.message))?;
        let phone = self
            .phone
            .as_deref()
            .map(Phone::parse)
            .transpose()
            .map_err(|e| bad_input("contact.phone", e.message))?;
        Ok(Contact { name, email, phone })
    }
}

/// A new sponsor.
#[derive(InputObject)]
pub struct SponsorInput {
    /// Organization or person.
    pub kind: SponsorKind,
    /// Name, 1–200 characters, unique in the city.
    pub name: String,
    /// Whom to talk to.
    pub contact: Option<ContactInput>,
}

impl SponsorInput {
    pub fn validate(&self) -> Result<NewSponsor> {
        let name = text::bounded("name", &self.name, text::MAX_LINE).valid()?;
        let contact = match &self.contact {
            Some(c) => c.validate()?,
            None => Contact::default(),
        };
        Ok(NewSponsor {
            kind: self.kind.into(),
            name,
            contact,
        })
    }
}

/// A sponsor's promise.
#[derive(InputObject)]
pub struct PledgeInput {
    /// The sponsor's id.
    pub sponsor_id: ID,
    /// Money or in kind.
    pub form: ContributionForm,
    /// Money: the amount; in kind: the estimated value. More than zero.
    pub amount: Tiyn,
    /// What is given in kind, or a note; 1–400 characters.
    pub description: Option<String>,
    /// What it is for; 1–400 characters.
    pub purpose: String,
    /// The day it was promised.
    pub pledged_on: Date,
}

impl PledgeInput {
    pub fn validate(&self) -> Result<Pledge> {
        Ok(Pledge {
            sponsor: parse_id("sponsorId", &self.sponsor_id)?,
            form: self.form.into(),
            amount_tiyn: amount("amount", self.amount)?,
            description: self
                .description
                .as_deref()
                .map(|d| note("description", d))
                .transpose()?,
            purpose: note("purpose", &self.purpose)?,
            pledged_on: day("pledgedOn", self.pledged_on)?,
        })
    }
}

/// A new social cause.
#[derive(InputObject)]
pub struct CauseInput {
    /// Title, 1–200 characters, unique in the city.
    pub title: String,
    /// What the cause is about, up to 4000 characters.
    pub description: String,
    /// Who is helped, in words, up to 400 characters.
    pub beneficiaries: String,
    /// The amount the chapter aims to give.
    pub target: Option<Tiyn>,
}

impl CauseInput {
    pub fn validate(&self) -> Result<NewCause> {
        Ok(NewCause {
            title: text::bounded("title", &self.title, text::MAX_LINE).valid()?,
            description: text::bounded("description", &self.description, text::MAX_TEXT).valid()?,
            beneficiaries: note("beneficiaries", &self.beneficiaries)?,
            target_tiyn: self.target.map(|t| amount("target", t)).transpose()?,
        })
    }
}

/// Money spent. It is recorded even when the balance does not cover it (the
/// money was already spent); the balance then shows the debt.
#[derive(InputObject)]
pub struct ExpenseInput {
    /// Kind of spending: 2–40 of a-z, 0-9 and _, e.g. `ice_rent`.
    pub tag: String,
    /// How much; more than zero.
    pub amount: Tiyn,
    /// The day the money was spent.
    pub spent_on: Date,
    /// What it was for, 1–400 characters.
    pub description: String,
    /// A link (http/https) to the receipt.
    pub receipt_url: Option<String>,
}

impl ExpenseInput {
    pub fn validate(&self) -> Result<NewExpense> {
        Ok(NewExpense {
            tag: check_tag(&self.tag).valid()?,
            amount_tiyn: amount("amount", self.amount)?,
            spent_on: day("spentOn", self.spent_on)?,
            description: note("description", &self.description)?,
            receipt_url: self
                .receipt_url
                .as_deref()
                .map(|u| check_url("receiptUrl", u))
                .valid()?,
        })
    }
}

/// Money given to a social cause; refused when the balance does not cover it.
#[derive(InputObject)]
pub struct GiftInput {
    /// The cause's id.
    pub cause_id: ID,
    /// How much; more than zero.
    pub amount: Tiyn,
    /// The day it was paid.
    pub paid_on: Date,
    /// A link (http/https) to proof of payment.
    pub evidence_url: String,
    /// People it helps, 0–10,000,000.
    pub beneficiaries: i32,
    /// What it paid for, 1–400 characters.
    pub description: String,
}

impl GiftInput {
    pub fn validate(&self) -> Result<NewDisbursement> {
        if !(0..=MAX_BENEFICIARIES).contains(&self.beneficiaries) {
            return Err(bad_input(
                "beneficiaries",
                format!("must be between 0 and {MAX_BENEFICIARIES}"),
            ));
        }
        Ok(NewDisbursement {
            cause: parse_id("causeId", &self.cause_id)?,
            amount_tiyn: amount("amount", self.amount)?,
            paid_on: day("paidOn", self.paid_on)?,
            evidence_url: check_url("evidenceUrl", &self.evidence_url).valid()?,
            beneficiaries: self.beneficiaries,
            description: note("description", &self.description)?,
        })
    }
}
