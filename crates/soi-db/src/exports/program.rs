//! The program's exports: participants, applications, attendance marks.
//! Each query names `city_id = $1` on every table it touches.

use super::{Rows, Window};
use crate::TenantTx;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A participant, with their status in the season when one was asked for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub university: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub preferred_language: String,
    pub consent_given_at: DateTime<Utc>,
    pub consent_text_version: String,
    pub consent_method: String,
    pub status: Option<String>,
}

/// The city's participants by name; with a season, only those enrolled in
/// it (any status), with that status. Like the lists, it leaves out those
/// who withdrew consent and the erased.
pub fn participants<'t>(tx: &'t mut TenantTx, w: &Window) -> Rows<'t, ParticipantRow> {
    super::stream(
        tx,
        w,
        "select p.id, p.first_name, p.last_name, p.email, p.phone, p.university, p.birth_date, \
                p.preferred_language, p.consent_given_at, p.consent_text_version, p.consent_method, \
                e.status \
         from participants p \
         left join enrollments e on e.city_id = $1 and e.participant_id = p.id and e.season_id = $2 \
         where p.city_id = $1 and ($2::uuid is null or e.id is not null) \
           and p.consent_withdrawn_at is null and p.erased_at is null \
         order by p.last_name, p.first_name, p.id",
    )
}

/// An application (enrollment) with its applicant and season.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub season: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
    pub applied_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub motivation: Option<String>,
}

/// Applications in the order they came, applied within the window.
pub fn applications<'t>(tx: &'t mut TenantTx, w: &Window) -> Rows<'t, ApplicationRow> {
    super::stream(
        tx,
        w,
        "select e.id, s.title as season, p.first_name, p.last_name, p.email, e.status, \
                e.applied_at, e.decided_at, e.motivation \
         from enrollments e \
         join participants p on p.city_id = $1 and p.id = e.participant_id \
         join seasons s on s.city_id = $1 and s.id = e.season_id \
         where e.city_id = $1 and ($2::uuid is null or e.season_id = $2) \
           and ($3::timestamptz is null or e.applied_at >= $3) \
           and ($4::timestamptz is null or e.applied_at < $4) \
         order by e.applied_at, e.id",
    )
}

/// One attendance mark with its session, group and participant.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRow {
    pub starts_at: DateTime<Utc>,
    pub group_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mark: String,
    pub recorded_at: DateTime<Utc>,
}

/// Marks of sessions that start within the window, in session order.
pub fn attendance<'t>(tx: &'t mut TenantTx, w: &Window) -> Rows<'t, AttendanceRow> {
    super::stream(
        tx,
        w,
        "select s.starts_at, g.name as group_name, p.first_name, p.last_name, p.email, a.mark, \
                a.recorded_at \
         from attendance a \
         join training_sessions s on s.city_id = $1 and s.id = a.session_id \
         join groups g on g.city_id = $1 and g.id = s.group_id \
         join participants p on p.city_id = $1 and p.id = a.participant_id \
         where a.city_id = $1 and ($2::uuid is null or g.season_id = $2) \
           and ($3::timestamptz is null or s.starts_at >= $3) \
           and ($4::timestamptz is null or s.starts_at < $4) \
         order by s.starts_at, s.id, p.last_name, p.first_name, p.id",
    )
}
