//! Rinks: the city's venues. Every query runs inside a [`TenantTx`] and names
//! `city_id = $1`.

use crate::TenantTx;
use crate::{Error, Result};
use soi_core::RinkId;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Rink {
    #[sqlx(try_from = "Uuid")]
    pub id: RinkId,
    pub name: String,
    pub address: String,
}

pub async fn insert(tx: &mut TenantTx, id: RinkId, name: &str, address: &str) -> Result<Rink> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "insert into rinks (city_id, id, name, address) values ($1, $2, $3, $4) returning id, name, address",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(name)
    .bind(address)
    .fetch_one(conn)
    .await?)
}

pub async fn get(tx: &mut TenantTx, id: RinkId) -> Result<Rink> {
    let (city, conn) = tx.parts();
    sqlx::query_as("select id, name, address from rinks where city_id = $1 and id = $2")
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("rink"))
}

/// Several rinks at once (one statement), in no particular order; ids of
/// another city's rinks, or of none, are left out.
pub async fn by_ids(tx: &mut TenantTx, ids: &[RinkId]) -> Result<Vec<Rink>> {
    let ids: Vec<Uuid> = ids.iter().map(RinkId::as_uuid).collect();
    let (city, conn) = tx.parts();
    Ok(
        sqlx::query_as("select id, name, address from rinks where city_id = $1 and id = any($2)")
            .bind(city)
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn list(tx: &mut TenantTx) -> Result<Vec<Rink>> {
    let (city, conn) = tx.parts();
    Ok(
        sqlx::query_as("select id, name, address from rinks where city_id = $1 order by name")
            .bind(city)
            .fetch_all(conn)
            .await?,
    )
}
