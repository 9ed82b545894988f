//! The email outbox. A message is enqueued in the transaction of the change
//! that causes it; the mail worker claims due messages mailbox by mailbox
//! (each city's, and the national accounts'), sends them and records the
//! outcome. A city's queries run inside its [`TenantTx`] and name
//! `city_id = $1`; the national mailbox is `national_outbox`, reached only by
//! transactions with no city ([`MailTx`]). Moves of a claimed message name
//! the claiming worker, so a worker whose lease ran out cannot undo another
//! worker's claim.

use crate::{Error, Result};
use crate::{MailTx, Mailbox, Page, TenantTx};
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

/// The table and row filter of a mailbox, and what `$1` binds: a city's rows
/// of `outbox`, or `national_outbox` (whose filter still names `$1`, bound to
/// NULL, so both kinds of statement take the same parameters).
fn target(mailbox: Mailbox) -> (&'static str, &'static str, Option<Uuid>) {
    match mailbox {
        Mailbox::City(city) => ("outbox", "city_id = $1", Some(city.as_uuid())),
        Mailbox::National => ("national_outbox", "$1::uuid is null", None),
    }
}

fn clipped(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Adds a message unless one with the same key exists in the mailbox; true
/// when it was added. Committing wakes the workers (a trigger notifies
/// `soi_outbox` with the city id, or `national`); rolling back leaves no trace.
pub async fn enqueue(
    tx: &mut impl MailTx,
    kind: &str,
    key: &str,
    recipient: &str,
    language: Language,
    payload: &serde_json::Value,
) -> Result<bool> {
    let (mailbox, conn) = tx.mail_parts();
    let (table, _, city) = target(mailbox);
    // Any role may enqueue, not every role may read the outbox: so no
    // RETURNING, and no ON CONFLICT either (it checks the read policy, which
    // refuses a coach). A repeated key is refused by the unique constraint
    // inside a savepoint, which keeps the caller's transaction usable; a
    // concurrent insert of the same key waits for the first, as before.
    // (Savepoint statements by hand: the insert stays on the measured
    // connection, so its row counts as the city's.)
    sqlx::query("savepoint outbox_enqueue")
        .execute(&mut *conn)
        .await?;
    let sql = match city {
        Some(_) => format!(
            "insert into {table} (city_id, id, kind, idempotency_key, recipient_email, language, payload) \
             values ($1, $2, $3, $4, $5, $6, $7)"
        ),
        None => format!(
            "insert into {table} (id, kind, idempotency_key, recipient_email, language, payload) \
             select $2, $3, $4, $5, $6, $7 where $1::uuid is null"
        ),
    };
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(EmailId::new().as_uuid())
        .bind(kind)
        .bind(key)
        .bind(recipient)
        .bind(language.code())
        .bind(payload)
        .execute(&mut *conn)
        .await;
    match done {
        Ok(_) => {
            sqlx::query("release savepoint outbox_enqueue")
                .execute(&mut *conn)
                .await?;
            Ok(true)
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            sqlx::query("rollback to savepoint outbox_enqueue")
                .execute(&mut *conn)
                .await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Claims up to `batch` due messages of the mailbox for `worker`, for
/// `lease`: pending ones whose time has come and sending ones whose lease ran
/// out (their worker died). Rows another transaction holds are skipped, so
/// workers running at once never claim the same message.
pub async fn claim(
    tx: &mut impl MailTx,
    worker: &str,
    batch: u32,
    lease: Duration,
) -> Result<Vec<Email>> {
    let (mailbox, conn) = tx.mail_parts();
    let (table, mine, city) = target(mailbox);
    // Two statements, each reading the mailbox once: lock the due rows, then
    // move exactly those (still locked by this transaction).
    let sql = format!(
        "select id from {table} \
         where {mine} and status in ('pending', 'sending') and next_attempt_at <= now() \
         order by next_attempt_at limit $2 for update skip locked"
    );
    let due: Vec<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(i64::from(batch.max(1)))
        .fetch_all(&mut *conn)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "update {table} set status = 'sending', attempts = attempts + 1, claimed_by = $3, \
             claimed_until = now() + $4 * interval '1 millisecond', \
             next_attempt_at = now() + $4 * interval '1 millisecond' \
         where {mine} and id = any($2) returning {COLUMNS}"
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

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// One move of one message of the mailbox: `set` applies where `when` holds
/// (`$1` the city, `$2` the id, `$3`… what `binds` adds); true when it moved.
async fn update<'q>(
    tx: &mut impl MailTx,
    id: EmailId,
    set: &str,
    when: &str,
    binds: impl FnOnce(Query<'q>) -> Query<'q>,
) -> Result<bool> {
    let (mailbox, conn) = tx.mail_parts();
    let (table, mine, city) = target(mailbox);
    let sql = format!("update {table} set {set} where {mine} and id = $2 and {when}");
    let query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid());
    let done = binds(query).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the server accepted the message. A message whose lease ran
/// out is still recorded (it was sent); a parked or sent one is left alone.
pub async fn mark_sent(
    tx: &mut impl MailTx,
    id: EmailId,
    message_id: &str,
    smtp_response: &str,
) -> Result<bool> {
    let response = clipped(smtp_response, MAX_RESPONSE).to_owned();
    let message_id = message_id.to_owned();
    update(
        tx,
        id,
        "status = 'sent', sent_at = now(), message_id = $3, smtp_response = $4, \
         claimed_until = null, claimed_by = null, last_error = null",
        "status in ('pending', 'sending')",
        |q| q.bind(message_id).bind(response),
    )
    .await
}

/// Puts a message `worker` claimed back to wait until `next_attempt_at`.
pub async fn mark_retry(
    tx: &mut impl MailTx,
    id: EmailId,
    worker: &str,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<bool> {
    let (worker, error) = (worker.to_owned(), clipped(error, MAX_ERROR).to_owned());
    update(
        tx,
        id,
        "status = 'pending', next_attempt_at = $4, last_error = $5, claimed_until = null, claimed_by = null",
        "status = 'sending' and claimed_by = $3",
        |q| q.bind(worker).bind(next_attempt_at).bind(error),
    )
    .await
}

/// Gives up on a message `worker` claimed, with the reason.
pub async fn park(tx: &mut impl MailTx, id: EmailId, worker: &str, reason: &str) -> Result<bool> {
    let (worker, reason) = (worker.to_owned(), clipped(reason, MAX_ERROR).to_owned());
    update(
        tx,
        id,
        "status = 'parked', last_error = $4, claimed_until = null, claimed_by = null",
        "status = 'sending' and claimed_by = $3",
        |q| q.bind(worker).bind(reason),
    )
    .await
}

/// Hands back a claimed message that was not tried (the worker is stopping):
/// due again at once, and the attempt its claim counted is undone.
pub async fn release(tx: &mut impl MailTx, id: EmailId, worker: &str) -> Result<bool> {
    let worker = worker.to_owned();
    update(
        tx,
        id,
        "status = 'pending', next_attempt_at = now(), attempts = greatest(attempts - 1, 0), \
         claimed_until = null, claimed_by = null",
        "status = 'sending' and claimed_by = $3",
        |q| q.bind(worker),
    )
    .await
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

/// Deletes the mailbox's emails sent before `before` (at most `limit` of
/// them); returns how many went. Their idempotency keys go with them, so only
/// emails whose cause cannot recur are old enough (the retention is months,
/// a reminder's window a day). System work only: the database refuses
/// anyone else in a city, and rows not sent.
pub async fn purge_sent(tx: &mut impl MailTx, before: DateTime<Utc>, limit: i64) -> Result<u64> {
    let (mailbox, conn) = tx.mail_parts();
    let (table, mine, city) = target(mailbox);
    let sql = format!(
        "delete from {table} where {mine} and id in \
           (select id from {table} where {mine} and status = 'sent' and sent_at < $2 limit $3)"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(before)
        .bind(limit)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// An erasure's part of the city's mailbox: the address's unsent emails are
/// deleted (a withdrawn or erased person gets none of them), and its sent
/// ones keep their outcome but lose the address (a placeholder) and the
/// payload. Returns (deleted, scrubbed). Admins and system work only (the
/// database refuses other roles).
pub async fn erase_recipient(tx: &mut TenantTx, email: &str) -> Result<(u64, u64)> {
    let (city, conn) = tx.parts();
    let deleted = sqlx::query(
        "delete from outbox where city_id = $1 and lower(recipient_email) = lower($2) and status <> 'sent'",
    )
    .bind(city)
    .bind(email.trim())
    .execute(&mut *conn)
    .await?;
    let scrubbed = sqlx::query(
        "update outbox set recipient_email = 'erased+' || id || '@erased.invalid', payload = '{}' \
         where city_id = $1 and lower(recipient_email) = lower($2) and status = 'sent'",
    )
    .bind(city)
    .bind(email.trim())
    .execute(conn)
    .await?;
    Ok((deleted.rows_affected(), scrubbed.rows_affected()))
}
