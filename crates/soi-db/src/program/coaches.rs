//! Coaches (`coaches`); their certificates are
//! [`super::coach_certificates`]. Every query runs inside a [`TenantTx`] and
//! names `city_id = $1`.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use soi_core::states::Qualification;
use soi_core::{CoachId, Email, PersonName, Phone};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Coach {
    #[sqlx(try_from = "Uuid")]
    pub id: CoachId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub qualification: Qualification,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewCoach {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub qualification: Qualification,
}

const COLUMNS: &str = "id, first_name, last_name, email, phone, qualification, active";

pub async fn insert(tx: &mut TenantTx, id: CoachId, new: &NewCoach) -> Result<Coach> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into coaches (city_id, id, first_name, last_name, email, phone, qualification) \
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(new.first_name.as_str())
        .bind(new.last_name.as_str())
        .bind(new.email.as_str())
        .bind(new.phone.as_ref().map(Phone::as_str))
        .bind(new.qualification.code())
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: CoachId) -> Result<Coach> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from coaches where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("coach"))
}

pub async fn list(tx: &mut TenantTx, page: Page<CoachId>) -> Result<Vec<Coach>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from coaches where city_id = $1 and ($2::uuid is null or id > $2) order by id limit $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(page.after.map(|c| c.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// The city's coaches with these emails (lower-cased, as stored).
pub async fn by_emails(tx: &mut TenantTx, emails: &[String]) -> Result<Vec<Coach>> {
    super::people::by_emails(tx, "coaches", COLUMNS, emails).await
}

/// Replaces a coach's details; the email identifies them and stays.
pub async fn update_details(tx: &mut TenantTx, id: CoachId, new: &NewCoach) -> Result<()> {
    let set = "first_name = $3, last_name = $4, phone = $5, qualification = $6";
    super::people::update_details(tx, "coaches", id.as_uuid(), set, |q| {
        q.bind(new.first_name.as_str())
            .bind(new.last_name.as_str())
            .bind(new.phone.as_ref().map(Phone::as_str))
            .bind(new.qualification.code())
    })
    .await
}
