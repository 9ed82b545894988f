//! Coaches and their certificates. Every query runs inside a [`TenantTx`] and
//! names `city_id = $1`.

use crate::error::{Error, Result};
use crate::{Page, TenantTx};
use chrono::NaiveDate;
use soi_core::program::Qualification;
use soi_core::{CertificateId, CoachId, Email, PersonName, Phone};
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Certificate {
    #[sqlx(try_from = "Uuid")]
    pub id: CertificateId,
    #[sqlx(try_from = "Uuid")]
    pub coach_id: CoachId,
    pub title: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
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

#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub title: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

pub async fn add_certificate(
    tx: &mut TenantTx,
    id: CertificateId,
    coach: CoachId,
    new: &NewCertificate,
) -> Result<Certificate> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "insert into coach_certificates (city_id, id, coach_id, title, issuer, issued_on, expires_on) \
         values ($1, $2, $3, $4, $5, $6, $7) \
         returning id, coach_id, title, issuer, issued_on, expires_on",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(coach.as_uuid())
    .bind(&new.title)
    .bind(&new.issuer)
    .bind(new.issued_on)
    .bind(new.expires_on)
    .fetch_one(conn)
    .await?)
}

/// Certificates of active coaches that expire on or before `by` (soonest first).
pub async fn certificates_expiring(tx: &mut TenantTx, by: NaiveDate) -> Result<Vec<Certificate>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select k.id, k.coach_id, k.title, k.issuer, k.issued_on, k.expires_on \
         from coach_certificates k \
         join coaches c on c.city_id = k.city_id and c.id = k.coach_id \
         where k.city_id = $1 and c.city_id = $1 and c.active and k.expires_on <= $2 \
         order by k.expires_on, k.id",
    )
    .bind(city)
    .bind(by)
    .fetch_all(conn)
    .await?)
}

/// Certificates of many coaches in one statement (for the GraphQL loader),
/// each coach's in the order they were issued.
pub async fn certificates_of(tx: &mut TenantTx, coaches: &[CoachId]) -> Result<Vec<Certificate>> {
    let ids: Vec<Uuid> = coaches.iter().map(CoachId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select id, coach_id, title, issuer, issued_on, expires_on from coach_certificates \
         where city_id = $1 and coach_id = any($2) order by coach_id, issued_on, id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?)
}
