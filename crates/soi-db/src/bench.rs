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
