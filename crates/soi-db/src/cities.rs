//! Cities: the national table of tenants. Written only through [`SystemDb`]
//! (the owner); read by anyone, since it holds no personal data.
//!
//! [`SystemDb`]: crate::SystemDb

use crate::{Error, Result};
use crate::{NationalRead, NationalTx};
use chrono::NaiveDate;
use soi_core::states::CityStatus;
use soi_core::{CityId, CityZone, Position, Slug};
use sqlx::postgres::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct City {
    #[sqlx(try_from = "Uuid")]
    pub id: CityId,
    pub slug: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
    pub time_zone: String,
    #[sqlx(try_from = "String")]
    pub status: CityStatus,
    pub launched_on: Option<NaiveDate>,
    /// WGS 84 degrees; both or neither.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A city to launch; every field already validated by its type.
#[derive(Debug, Clone)]
pub struct NewCity {
    pub slug: Slug,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
    pub zone: CityZone,
    pub launched_on: NaiveDate,
    /// Where it is on the map; `None` leaves it off until given one.
    pub position: Option<Position>,
}

const COLUMNS: &str =
    "id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on, latitude, longitude";

/// Inserts the city unless its slug exists (then sets its position, if one is
/// given); returns it and whether it is new.
/// The row is locked, so two launches of one city serialize.
pub(crate) async fn insert_or_get(conn: &mut PgConnection, new: &NewCity) -> Result<(City, bool)> {
    let inserted: Option<City> = sqlx::query_as(
        "insert into cities (id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on, \
           latitude, longitude) \
         values ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9) \
         on conflict (slug) do nothing \
         returning id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on, \
           latitude, longitude",
    )
    .bind(CityId::new().as_uuid())
    .bind(new.slug.as_str())
    .bind(&new.name_kk)
    .bind(&new.name_ru)
    .bind(&new.name_en)
    .bind(new.zone.name())
    .bind(new.launched_on)
    .bind(new.position.map(|p| p.latitude()))
    .bind(new.position.map(|p| p.longitude()))
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(city) = inserted {
        return Ok((city, true));
    }
    let mut city: City = sqlx::query_as(
        "select id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on, \
           latitude, longitude from cities where slug = $1 for update",
    )
    .bind(new.slug.as_str())
    .fetch_one(&mut *conn)
    .await?;
    // A relaunch with a position places (or moves) the city on the map;
    // without one, the position stays as it was.
    if let Some(p) = new.position {
        let wanted = (Some(p.latitude()), Some(p.longitude()));
        if (city.latitude, city.longitude) != wanted {
            sqlx::query("update cities set latitude = $2, longitude = $3 where id = $1")
                .bind(city.id.as_uuid())
                .bind(p.latitude())
                .bind(p.longitude())
                .execute(&mut *conn)
                .await?;
            (city.latitude, city.longitude) = wanted;
        }
    }
    Ok((city, false))
}

pub(crate) async fn ensure_partitions(conn: &mut PgConnection, city: CityId) -> Result<i32> {
    Ok(sqlx::query_scalar("select soi_ensure_city_partitions($1)")
        .bind(city.as_uuid())
        .fetch_one(conn)
        .await?)
}

pub(crate) async fn list_all(exec: impl PgExecutor<'_>) -> Result<Vec<City>> {
    let sql = format!("select {COLUMNS} from cities order by slug");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(exec)
        .await?)
}

pub(crate) async fn by_slug_on(exec: impl PgExecutor<'_>, slug: &str) -> Result<Option<City>> {
    // What cannot be a slug names no city; and text PostgreSQL refuses
    // (a NUL byte) never reaches it from a public operation's argument.
    if Slug::parse(slug).is_err() {
        return Ok(None);
    }
    let sql = format!("select {COLUMNS} from cities where slug = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(exec)
        .await?)
}

/// All cities, for national views and for resolving public operations.
pub async fn list(tx: &mut NationalTx) -> Result<Vec<City>> {
    list_all(tx.conn()).await
}

/// The city a public operation names by slug; `NotFound` for an unknown or
/// planned one.
pub async fn by_slug(tx: &mut NationalTx, slug: &str) -> Result<City> {
    match by_slug_on(tx.conn(), slug).await? {
        Some(city) if city.status != CityStatus::Planned => Ok(city),
        _ => Err(Error::NotFound("city")),
    }
}

/// One city by id, from any transaction that may read national tables.
pub async fn by_id<T: NationalRead>(tx: &mut T, id: CityId) -> Result<City> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from cities where id = $1"
    )))
    .bind(id.as_uuid())
    .fetch_optional(tx.national_conn())
    .await?
    .ok_or(Error::NotFound("city"))
}

pub(crate) async fn applied_migrations(exec: impl PgExecutor<'_> + Copy) -> Result<usize> {
    let exists: bool = sqlx::query_scalar("select to_regclass('_sqlx_migrations') is not null")
        .fetch_one(exec)
        .await?;
    if !exists {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(exec)
        .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}
