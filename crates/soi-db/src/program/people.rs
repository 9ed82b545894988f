//! What the two people tables (`coaches`, `participants`) share: an import
//! finds a city's people by email in one statement and replaces their
//! details by id. Not a table file: `coaches` and `participants` call it
//! with their own table, columns and values. Every query names
//! `city_id = $1`.

use crate::{Result, TenantTx};
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use uuid::Uuid;

/// A statement whose `$1` (city) and `$2` (id) are bound; the caller binds
/// the rest.
pub(super) type Update = Query<'static, Postgres, PgArguments>;

/// The rows of `table` (read as `columns`) of the transaction's city with
/// these emails (lower-cased, as stored).
pub(super) async fn by_emails<T>(
    tx: &mut TenantTx,
    table: &str,
    columns: &str,
    emails: &[String],
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let (city, conn) = tx.parts();
    let sql = format!("select {columns} from {table} where city_id = $1 and email = any($2)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(emails)
        .fetch_all(conn)
        .await?)
}

/// Sets the details of the row `id` of `table` in the transaction's city:
/// `set` names its columns from `$3` on, and `bind` binds their values.
pub(super) async fn update_details(
    tx: &mut TenantTx,
    table: &str,
    id: Uuid,
    set: &str,
    bind: impl FnOnce(Update) -> Update,
) -> Result<()> {
    let (city, conn) = tx.parts();
    let sql = format!("update {table} set {set} where city_id = $1 and id = $2");
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(city).bind(id);
    bind(query).execute(conn).await?;
    Ok(())
}
