//! Coaches' certificates (`coach_certificates`), with their expiry. Every
//! query runs inside a [`TenantTx`] and names `city_id = $1` on each city
//! table.

use crate::{Result, TenantTx};
use chrono::NaiveDate;
use soi_core::{CertificateId, CoachId};
use uuid::Uuid;

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
pub async fn of_coaches(tx: &mut TenantTx, coaches: &[CoachId]) -> Result<Vec<Certificate>> {
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
