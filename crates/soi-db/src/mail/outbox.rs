//! The email outbox. A message is enqueued in the transaction of the change
//! that causes it; the mail worker claims due messages city by city, sends
//! them and records the outcome. Every query runs inside a [`TenantTx`] and
//! names `city_id = $1`. Moves of a claimed message name the claiming worker,
//! so a worker whose lease ran out cannot undo another worker's claim.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{EmailId, Language};
use std::time::Duration;
use uuid::Uuid;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waits for `next_attempt_at`.
    Pending,
    /// Claimed by a worker until its lease runs out.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up on: refused for good, or out of attempts. An admin may resend it.
    Parked,
}

impl Status {
    pub const fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Parked => "parked",
        }
    }
}

impl TryFrom<String> for Status {
    type Error = Error;
    fn try_from(code: String) -> Result<Self> {
        match code.as_str() {
            "pending" => Ok(Status::Pending),
            "sending" => Ok(Status::Sending),
            "sent" => Ok(Status::Sent),
            "parked" => Ok(Status::Parked),
            _ => Err(Error::Conflict(format!("unknown outbox status '{code}'"))),
        }
    }
}

/// One message of the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Email {
    #[sqlx(try_from = "Uuid")]
    pub id: EmailId,
    /// The template, e.g. `application_received`.
    pub kind: String,
    pub idempotency_key: String,
    pub recipient_email: String,
    #[sqlx(try_from = "String")]
    pub language: Language,
    /// What the template needs.
    pub payload: serde_json::Value,
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// Attempts started so far (a claim starts one).
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub smtp_response: Option<String>,
    pub message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, kind, idempotency_key, recipient_email, language, payload, status, attempts, \
                       next_attempt_at, last_error, smtp_response, message_id, created_at, sent_at";

/// Longest error and server answer kept (the table's checks).
const MAX_ERROR: usize = 2000;
const MAX_RESPONSE: usize = 1000;

fn clipped(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Adds a message unless one with the same key exists in the city; true when
/// it was added. Committing wakes the workers (a trigger notifies
/// `soi_outbox` with the city id); rolling back leaves no trace.
pub async fn enqueue(
    tx: &mut TenantTx,
    kind: &str,
    key: &str,
    recipient: &str,
    language: Language,
    payload: &serde_json::Value,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    // Any role may enqueue, not every role may read the outbox: so no
    // RETURNING, and no ON CONFLICT either (it checks the read policy, which
    // refuses a coach). A repeated key is refused by the unique constraint
    // inside a savepoint, which keeps the caller's transaction usable; a
    // concurrent insert of the same key waits for the first, as before.
    let mut savepoint = sqlx::Connection::begin(&mut *conn).await?;
    let done = sqlx::query(
        "insert into outbox (city_id, id, kind, idempotency_key, recipient_email, language, payload) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(city)
    .bind(EmailId::new().as_uuid())
    .bind(kind)
    .bind(key)
    .bind(recipient)
    .bind(language.code())
    .bind(payload)
    .execute(&mut *savepoint)
    .await;
    match done {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(true)
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            savepoint.rollback().await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Claims up to `batch` due messages of the city for `worker`, for `lease`:
/// pending ones whose time has come and sending ones whose lease ran out
/// (their worker died). Rows another transaction holds are skipped, so
/// workers running at once never claim the same message.
pub async fn claim(
    tx: &mut TenantTx,
    worker: &str,
    batch: u32,
    lease: Duration,
) -> Result<Vec<Email>> {
    let (city, conn) = tx.parts();
    // Two statements, each reading the city's partition once: lock the due
    // rows, then move exactly those (still locked by this transaction).
    let due: Vec<Uuid> = sqlx::query_scalar(
        "select id from outbox \
         where city_id = $1 and status in ('pending', 'sending') and next_attempt_at <= now() \
         order by next_attempt_at limit $2 for update skip locked",
    )
    .bind(city)
    .bind(i64::from(batch.max(1)))
    .fetch_all(&mut *conn)
    .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "update outbox set status = 'sending', attempts = attempts + 1, claimed_by = $3, \
             claimed_until = now() + $4 * interval '1 millisecond', \
             next_attempt_at = now() + $4 * interval '1 millisecond' \
         where city_id = $1 and id = any($2) returning {COLUMNS}"
    );
    let mut rows: Vec<Email> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(due)
        .bind(worker)
        .bind(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
        .fetch_all(conn)
        .await?;
    // In the order they were enqueued (ids are time-ordered).
    rows.sort_by_key(|e| e.id);
    Ok(rows)
}

/// Records that the server accepted the message. A message whose lease ran
/// out is still recorded (it was sent); a parked or sent one is left alone.
pub async fn mark_sent(
    tx: &mut TenantTx,
    id: EmailId,
    message_id: &str,
    smtp_response: &str,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update outbox set status = 'sent', sent_at = now(), message_id = $3, smtp_response = $4, \
             claimed_until = null, claimed_by = null, last_error = null \
         where city_id = $1 and id = $2 and status in ('pending', 'sending')",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(message_id)
    .bind(clipped(smtp_response, MAX_RESPONSE))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a message `worker` claimed back to wait until `next_attempt_at`.
pub async fn mark_retry(
    tx: &mut TenantTx,
    id: EmailId,
    worker: &str,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update outbox set status = 'pending', next_attempt_at = $4, last_error = $5, \
             claimed_until = null, claimed_by = null \
         where city_id = $1 and id = $2 and status = 'sending' and claimed_by = $3",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(worker)
    .bind(next_attempt_at)
    .bind(clipped(error, MAX_ERROR))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives up on a message `worker` claimed, with the reason.
pub async fn park(tx: &mut TenantTx, id: EmailId, worker: &str, reason: &str) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update outbox set status = 'parked', last_error = $4, claimed_until = null, claimed_by = null \
         where city_id = $1 and id = $2 and status = 'sending' and claimed_by = $3",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(worker)
    .bind(clipped(reason, MAX_ERROR))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Hands back a claimed message that was not tried (the worker is stopping):
/// due again at once, and the attempt its claim counted is undone.
pub async fn release(tx: &mut TenantTx, id: EmailId, worker: &str) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update outbox set status = 'pending', next_attempt_at = now(), attempts = greatest(attempts - 1, 0), \
             claimed_until = null, claimed_by = null \
         where city_id = $1 and id = $2 and status = 'sending' and claimed_by = $3",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(tx: &mut TenantTx, id: EmailId) -> Result<Email> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from outbox where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("email"))
}

/// Parked messages, oldest first, after a cursor.
pub async fn list_parked(tx: &mut TenantTx, page: Page<EmailId>) -> Result<Vec<Email>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from outbox \
         where city_id = $1 and status = 'parked' and ($2::uuid is null or id > $2) \
         order by id limit $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(page.after.map(|e| e.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// Sends a parked message again: due now, with a fresh count of attempts.
/// `CONFLICT` for a message that is not parked.
pub async fn requeue(tx: &mut TenantTx, id: EmailId) -> Result<Email> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "update outbox set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null \
         where city_id = $1 and id = $2 and status = 'parked' returning {COLUMNS}"
    );
    let requeued: Option<Email> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?;
    match requeued {
        Some(email) => Ok(email),
        None => {
            let current = get(tx, id).await?;
            Err(Error::Conflict(format!(
                "only a parked email can be resent; this one is {}",
                current.status.code()
            )))
        }
    }
}

/// How many messages of the city are in each status.
pub async fn counts(tx: &mut TenantTx) -> Result<Vec<(String, i64)>> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(
        "select status, count(*) from outbox where city_id = $1 group by status order by status",
    )
    .bind(city)
    .fetch_all(conn)
    .await?)
}

/// Deletes the city's emails sent before `before` (at most `limit` of them);
/// returns how many went. Their idempotency keys go with them, so only
/// emails whose cause cannot recur are old enough (the retention is months,
/// a reminder's window a day). System work only: the database refuses
/// anyone else, and rows not sent.
pub async fn purge_sent(tx: &mut TenantTx, before: DateTime<Utc>, limit: i64) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "delete from outbox where city_id = $1 and id in \
           (select id from outbox where city_id = $1 and status = 'sent' and sent_at < $2 limit $3)",
    )
    .bind(city)
    .bind(before)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
