//! Sponsors: organizations and people who give to the city's chapter. Their
//! names and contacts are for chapter admins only; nothing here is public.

use super::SponsorKind;
use crate::TenantTx;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use soi_core::{Email, PersonName, Phone, SponsorId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Sponsor {
    #[sqlx(try_from = "Uuid")]
    pub id: SponsorId,
    #[sqlx(try_from = "String")]
    pub kind: SponsorKind,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Whom to talk to; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub name: Option<PersonName>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

#[derive(Debug, Clone)]
pub struct NewSponsor {
    pub kind: SponsorKind,
    /// Already checked: 1–200 characters on one line.
    pub name: String,
    pub contact: Contact,
}

const COLUMNS: &str = "id, kind, name, contact_name, contact_email, contact_phone, created_at";

pub async fn create(tx: &mut TenantTx, id: SponsorId, new: &NewSponsor) -> Result<Sponsor> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into sponsors (city_id, id, kind, name, contact_name, contact_email, contact_phone) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(new.kind.code())
        .bind(&new.name)
        .bind(new.contact.name.as_ref().map(PersonName::as_str))
        .bind(new.contact.email.as_ref().map(Email::as_str))
        .bind(new.contact.phone.as_ref().map(Phone::as_str))
        .fetch_one(conn)
        .await?)
}

/// Replaces the sponsor's contact (a part left out is cleared).
pub async fn update_contact(
    tx: &mut TenantTx,
    id: SponsorId,
    contact: &Contact,
) -> Result<Sponsor> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update sponsors set contact_name = $3, contact_email = $4, contact_phone = $5 \
         where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(contact.name.as_ref().map(PersonName::as_str))
        .bind(contact.email.as_ref().map(Email::as_str))
        .bind(contact.phone.as_ref().map(Phone::as_str))
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("sponsor"))
}

pub async fn get(tx: &mut TenantTx, id: SponsorId) -> Result<Sponsor> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from sponsors where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("sponsor"))
}

/// The city's sponsors by name (dozens at most, so no pages).
pub async fn list(tx: &mut TenantTx) -> Result<Vec<Sponsor>> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from sponsors where city_id = $1 order by name");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .fetch_all(conn)
        .await?)
}
