//! Addresses that unsubscribed from reminders and announcements, per city.
//! Every query runs inside a [`TenantTx`] and names `city_id = $1`.

use crate::Result;
use crate::TenantTx;

/// The one scope: reminders and announcements (never transactional email).
pub const REMINDERS_AND_ANNOUNCEMENTS: &str = "reminders_and_announcements";

/// Records that `email` wants no more reminders or announcements from the
/// city; true the first time, false when it already had (idempotent).
pub async fn unsubscribe(tx: &mut TenantTx, email: &str) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into email_preferences (city_id, email, scope) values ($1, lower($2), $3) \
         on conflict (city_id, email, scope) do nothing",
    )
    .bind(city)
    .bind(email.trim())
    .bind(REMINDERS_AND_ANNOUNCEMENTS)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `emails` unsubscribed (lower case), in one statement.
pub async fn unsubscribed_among(tx: &mut TenantTx, emails: &[String]) -> Result<Vec<String>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let lower: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select email from email_preferences where city_id = $1 and scope = $2 and email = any($3)",
    )
    .bind(city)
    .bind(REMINDERS_AND_ANNOUNCEMENTS)
    .bind(lower)
    .fetch_all(conn)
    .await?)
}

/// Deletes every choice recorded for the address (an erasure: the rows hold
/// nothing but it). Returns how many went.
pub async fn forget(tx: &mut TenantTx, email: &str) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done =
        sqlx::query("delete from email_preferences where city_id = $1 and email = lower($2)")
            .bind(city)
            .bind(email.trim())
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}
