//! Statements for the benchmarks (`soi-bench`): the same indexed read through
//! a tenant transaction and through the owner's connection (locally a
//! superuser, which bypasses row-level security), so the cost of the tenancy
//! contract can be measured. Compiled only with the `bench` feature, which
//! `soi-bench` alone turns on.

use crate::program::enrollments;
use crate::{Db, Result, SystemDb};
use soi_core::{CityId, CityScope, EnrollmentId};
use uuid::Uuid;

/// Begin + set the city + one indexed read of a partitioned table + commit.
pub async fn tenant_read(db: &Db, scope: &CityScope, id: EnrollmentId) -> Result<()> {
    let mut tx = db.tenant(scope).await?;
    enrollments::get(&mut tx, id).await?;
    tx.commit().await
}

/// Begin + the same read (same SQL, explicit city) + commit, as the owner.
pub async fn owner_read(sys: &SystemDb, city: CityId, id: EnrollmentId) -> Result<()> {
    let mut tx = sys.pool().begin().await?;
    enrollments::get_on(&mut *tx, city.as_uuid(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// Some enrollment ids of a city, to read in the benchmark loop.
pub async fn sample_enrollments(db: &Db, scope: &CityScope, n: u32) -> Result<Vec<EnrollmentId>> {
    let mut tx = db.tenant(scope).await?;
    let (city, conn) = tx.parts();
    let ids: Vec<Uuid> =
        sqlx::query_scalar("select id from enrollments where city_id = $1 order by id limit $2")
            .bind(city)
            .bind(i64::from(n))
            .fetch_all(conn)
            .await?;
    tx.commit().await?;
    Ok(ids.into_iter().map(EnrollmentId::from).collect())
}

/// What the catalog holds as cities are launched.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSize {
    /// Partitions of the tables partitioned by city (tables, not indexes).
    pub partitions: i64,
    /// Every relation of the database (tables, indexes, TOAST, ...).
    pub relations: i64,
    /// Every table of `pg_catalog` with its indexes and TOAST, the shared
    /// ones (`pg_shdepend`, `pg_authid`, ...) included, which also hold
    /// rows of the server's other databases.
    pub catalog_bytes: i64,
    /// The whole database.
    pub database_bytes: i64,
}

/// Counts partitions and relations and sizes the catalog, as the owner.
pub async fn catalog_size(sys: &SystemDb) -> Result<CatalogSize> {
    let (partitions, relations, catalog_bytes, database_bytes): (i64, i64, i64, i64) =
        sqlx::query_as(
            "select (select count(*) from pg_class where relispartition and relkind = 'r'), \
               (select count(*) from pg_class), \
               (select coalesce(sum(pg_total_relation_size(oid)), 0)::bigint from pg_class \
                 where relnamespace = 'pg_catalog'::regnamespace and relkind = 'r'), \
               pg_database_size(current_database())",
        )
        .fetch_one(sys.pool())
        .await?;
    Ok(CatalogSize {
        partitions,
        relations,
        catalog_bytes,
        database_bytes,
    })
}

/// Lets the server settle before a measurement: waits (up to `bound`) until
/// no autovacuum worker runs in this database, then writes a checkpoint, so
/// that the work a bulk load leaves behind (analysing thousands of new
/// partitions, writing their pages out) is not measured as the requests'
/// own cost. Returns the time waited for autovacuum, and whether it was
/// still running at the bound.
pub async fn settle(
    sys: &SystemDb,
    bound: std::time::Duration,
) -> Result<(std::time::Duration, bool)> {
    let started = std::time::Instant::now();
    let busy = loop {
        let workers: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity \
             where backend_type = 'autovacuum worker' and datname = current_database()",
        )
        .fetch_one(sys.pool())
        .await?;
        if workers == 0 || started.elapsed() >= bound {
            break workers > 0;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    let waited = started.elapsed();
    sqlx::raw_sql("checkpoint").execute(sys.pool()).await?;
    Ok((waited, busy))
}
