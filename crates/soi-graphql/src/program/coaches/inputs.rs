//! A coach and a certificate as admins send them, checked before anything
//! is written.

use super::nodes::Qualification;
use crate::plumbing::{Valid, bad_input, first_problem};
use crate::shared::date::Date;
use async_graphql::{InputObject, Result};
use soi_core::text;
use soi_db::program::coach_certificates::NewCertificate;
use soi_db::program::coaches::NewCoach;
use soi_service::program::people;

/// A new coach.
#[derive(InputObject)]
pub struct CoachInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email; unique among the city's coaches.
    pub email: String,
    /// Phone, e.g. +7 701 123 45 67.
    pub phone: Option<String>,
    /// Sporting rank.
    pub qualification: Qualification,
}

impl CoachInput {
    pub fn validate(&self) -> Result<NewCoach> {
        // The same rules as the spreadsheet import (soi_service::program::people).
        people::coach(&people::CoachDetails {
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
            phone: self.phone.as_deref(),
            qualification: self.qualification.into(),
        })
        .map_err(first_problem)
        .valid()
    }
}

/// A certificate to record for a coach.
#[derive(InputObject)]
pub struct CertificateInput {
    /// What it certifies, 1–200 characters.
    pub title: String,
    /// Who issued it, 1–200 characters.
    pub issuer: String,
    /// Day of issue.
    pub issued_on: Date,
    /// Last day it is valid, after `issuedOn`; leave out when it does not expire.
    pub expires_on: Option<Date>,
}

impl CertificateInput {
    pub fn validate(&self) -> Result<NewCertificate> {
        let title = text::bounded("title", &self.title, text::MAX_LINE).valid()?;
        let issuer = text::bounded("issuer", &self.issuer, text::MAX_LINE).valid()?;
        if self.expires_on.is_some_and(|e| e <= self.issued_on) {
            return Err(bad_input("expiresOn", "must be after issuedOn"));
        }
        Ok(NewCertificate {
            title,
            issuer,
            issued_on: self.issued_on.0,
            expires_on: self.expires_on.map(|d| d.0),
        })
    }
}
