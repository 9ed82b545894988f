//! Unsubscribe links: the row a link's random id names, which holds the
//! address (the link itself names nobody). One live link per city and
//! address; revoked links stop working. Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::{Result, TenantTx};
use uuid::Uuid;

/// The live link id of each address (lower case), made for those that have
/// none yet; in the order of `emails`, each once.
pub async fn ids_for(tx: &mut TenantTx, emails: &[String]) -> Result<Vec<(String, Uuid)>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let mut lower: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    let (city, conn) = tx.parts();
    sqlx::query(
        "insert into unsubscribe_links (city_id, id, email) \
         select $1, gen_random_uuid(), e from unnest($2::text[]) e \
         on conflict (city_id, email) where revoked_at is null do nothing",
    )
    .bind(city)
    .bind(&lower)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_as(
        "select email, id from unsubscribe_links \
         where city_id = $1 and email = any($2) and revoked_at is null",
    )
    .bind(city)
    .bind(&lower)
    .fetch_all(conn)
    .await?)
}

/// The address a live link names; `None` for an unknown or revoked one.
pub async fn email_of(tx: &mut TenantTx, id: Uuid) -> Result<Option<String>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select email from unsubscribe_links where city_id = $1 and id = $2 and revoked_at is null",
    )
    .bind(city)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Revokes the address's live link: the links in emails already sent stop
/// working, and the next email carries a new one. True when there was one.
pub async fn revoke(tx: &mut TenantTx, email: &str) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update unsubscribe_links set revoked_at = now() \
         where city_id = $1 and email = lower($2) and revoked_at is null",
    )
    .bind(city)
    .bind(email.trim())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the address in the address's revoked links with a placeholder
/// (an erasure, after [`revoke`]): the links stay revoked (a click answers
/// 410) and name nobody. Returns how many changed.
pub async fn forget(tx: &mut TenantTx, email: &str) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update unsubscribe_links set email = 'erased+' || id || '@erased.invalid' \
         where city_id = $1 and email = lower($2) and revoked_at is not null",
    )
    .bind(city)
    .bind(email.trim())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
