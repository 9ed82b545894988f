//! The privacy columns of `participants` (Law No. 94-V): withdrawal of
//! consent, erasure in place, and who is due for erasure. Kept apart from
//! `participants.rs` (the same table) so the rules of erasure read in one
//! place. Every query runs inside a [`TenantTx`] and names `city_id = $1` on
//! each city table, subqueries included.

use crate::{Error, Result, TenantTx};
use chrono::{DateTime, NaiveDate, Utc};
use soi_core::ParticipantId;
use uuid::Uuid;

/// What stands in an erased person's name fields.
pub const ERASED_NAME: &str = "Erased";

/// The placeholder address of an erased row `id` (unique, lower case, in a
/// reserved domain that never receives mail); SQL builds the same
/// (`'erased+' || id || '@erased.invalid'`).
pub fn erased_email(id: Uuid) -> String {
    format!("erased+{id}@erased.invalid")
}

/// Whether an address is an erasure's placeholder.
pub fn is_erased_email(email: &str) -> bool {
    email.starts_with("erased+") && email.ends_with("@erased.invalid")
}

/// A participant's row as erasure needs it, locked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Locked {
    #[sqlx(try_from = "Uuid")]
    pub id: ParticipantId,
    pub email: String,
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
    pub erasure_due_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// Locks the participant's row (a withdrawal, an erasure and the scheduled
/// run of the same person wait for each other).
pub async fn lock(tx: &mut TenantTx, id: ParticipantId) -> Result<Locked> {
    let (city, conn) = tx.parts();
    sqlx::query_as(
        "select id, email, consent_withdrawn_at, erasure_due_at, erased_at from participants \
         where city_id = $1 and id = $2 for update",
    )
    .bind(city)
    .bind(id.as_uuid())
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("participant"))
}

/// Records the withdrawal of consent now, with the erasure due at `due`.
/// A second withdrawal keeps the first one's times (false then).
pub async fn withdraw_consent(
    tx: &mut TenantTx,
    id: ParticipantId,
    due: DateTime<Utc>,
) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update participants set consent_withdrawn_at = now(), erasure_due_at = $3, updated_at = now() \
         where city_id = $1 and id = $2 and consent_withdrawn_at is null and erased_at is null",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(due)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the participant's personal fields: names, address, phone,
/// university, birth date, guardian. Kept: the id, the language (which
/// language an email would be in, tied to no one once the rest is gone) and
/// the consent record (when and which text: the proof processing was lawful
/// until it stopped). False when the row was already erased (idempotent).
pub async fn erase(tx: &mut TenantTx, id: ParticipantId) -> Result<bool> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update participants set first_name = $3, last_name = $3, \
             email = 'erased+' || id || '@erased.invalid', phone = null, university = null, \
             birth_date = null, guardian_name = null, erased_at = now(), erasure_due_at = null, \
             updated_at = now() \
         where city_id = $1 and id = $2 and erased_at is null",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(ERASED_NAME)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `emails` (lower case) belong to participants who withdrew
/// consent, in one statement (the mail worker's check before sending).
pub async fn withdrawn_among(tx: &mut TenantTx, emails: &[String]) -> Result<Vec<String>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let lower: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select email from participants \
         where city_id = $1 and email = any($2) and consent_withdrawn_at is not null",
    )
    .bind(city)
    .bind(lower)
    .fetch_all(conn)
    .await?)
}

/// The retention periods as cut-offs: what ended before them is erased.
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    /// Applicants never accepted whose last application (or its decision)
    /// came before this.
    pub applicants: DateTime<Utc>,
    /// Participants every one of whose seasons is closed and ended before
    /// this day.
    pub participants: NaiveDate,
}

/// Who is due for erasure at `now`, at most `limit`, in id order: those
/// whose grace period after withdrawing consent ran out, applicants never
/// accepted (no application holds a seat, no mark of attendance, none waits
/// in an open season) past the applicants' period, and participants (a seat
/// held, or a session attended: someone who trained and then withdrew too)
/// whose seasons all closed and ended before the participants' cut-off.
pub async fn due_for_erasure(
    tx: &mut TenantTx,
    now: DateTime<Utc>,
    cutoffs: Cutoffs,
    limit: i64,
) -> Result<Vec<ParticipantId>> {
    let (city, conn) = tx.parts();
    // One pass over each table (the plan test allows one scan per
    // partitioned table): each person's applications folded into flags.
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "with e as ( \
             select e.participant_id, \
                    bool_or(e.status in ('accepted', 'active', 'completed')) as seat, \
                    bool_or(e.status in ('applied', 'waitlisted') and s.phase <> 'closed') as waiting, \
                    bool_or(s.phase <> 'closed' or s.ends_on >= $4) as not_over, \
                    max(coalesce(e.decided_at, e.applied_at)) as last_at \
             from enrollments e join seasons s on s.city_id = $1 and s.id = e.season_id \
             where e.city_id = $1 group by e.participant_id), \
         a as (select distinct a.participant_id from attendance a where a.city_id = $1) \
         select p.id from participants p \
         left join e on e.participant_id = p.id \
         left join a on a.participant_id = p.id \
         where p.city_id = $1 and p.erased_at is null and ( \
           (p.erasure_due_at is not null and p.erasure_due_at <= $2) \
           or (not coalesce(e.seat, false) and a.participant_id is null \
               and not coalesce(e.waiting, false) and coalesce(e.last_at, p.created_at) < $3) \
           or ((coalesce(e.seat, false) or a.participant_id is not null) \
               and not coalesce(e.not_over, false))) \
         order by p.id limit $5",
    )
    .bind(city)
    .bind(now)
    .bind(cutoffs.applicants)
    .bind(cutoffs.participants)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ParticipantId::from).collect())
}
