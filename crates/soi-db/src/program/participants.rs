//! Participants (students). Personal data: every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::conn::PublicRow;
use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, NaiveDate, Utc};
use soi_core::states::ConsentMethod;
use soi_core::{Email, GroupId, Language, ParticipantId, PersonName, Phone};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Participant {
    #[sqlx(try_from = "Uuid")]
    pub id: ParticipantId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub university: Option<String>,
    pub birth_date: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub preferred_language: Language,
    pub consent_given_at: DateTime<Utc>,
    pub consent_text_version: String,
    #[sqlx(try_from = "String")]
    pub consent_method: ConsentMethod,
    pub guardian_name: Option<String>,
    /// When the person withdrew consent (see [`crate::program::participant_privacy`]).
    pub consent_withdrawn_at: Option<DateTime<Utc>>,
    /// When their data is to be erased (a grace period after withdrawal).
    pub erasure_due_at: Option<DateTime<Utc>>,
    /// When their personal fields were erased (the row keeps ids only).
    pub erased_at: Option<DateTime<Utc>>,
}

/// Consent to personal-data processing: when, which text version, how.
#[derive(Debug, Clone)]
pub struct Consent {
    pub given_at: DateTime<Utc>,
    pub text_version: String,
    pub method: ConsentMethod,
}

#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub university: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub preferred_language: Language,
    pub consent: Consent,
    pub guardian_name: Option<String>,
}

const COLUMNS: &str = "id, first_name, last_name, email, phone, university, birth_date, preferred_language, \
                       consent_given_at, consent_text_version, consent_method, guardian_name, \
                       consent_withdrawn_at, erasure_due_at, erased_at";

/// Who lists and searches show: not those who withdrew consent (their
/// processing has stopped) nor the erased (nobody is left to show).
const LISTED: &str = "consent_withdrawn_at is null and erased_at is null";
const LISTED_P: &str = "p.consent_withdrawn_at is null and p.erased_at is null";

pub async fn insert(
    tx: &mut TenantTx,
    id: ParticipantId,
    new: &NewParticipant,
) -> Result<Participant> {
    tx.name_public_row(PublicRow::Email, new.email.as_str())
        .await?;
    insert_many(tx, &[(id, new.clone())]).await?;
    get(tx, id).await
}

/// Inserts many rows in one statement (arrays unnested server-side), for
/// imports and seeds.
pub async fn insert_many(
    tx: &mut TenantTx,
    rows: &[(ParticipantId, NewParticipant)],
) -> Result<u64> {
    let col = |f: fn(&(ParticipantId, NewParticipant)) -> Option<String>| {
        rows.iter().map(f).collect::<Vec<_>>()
    };
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| id.as_uuid()).collect();
    let first = col(|(_, p)| Some(p.first_name.as_str().to_owned()));
    let last = col(|(_, p)| Some(p.last_name.as_str().to_owned()));
    let email = col(|(_, p)| Some(p.email.as_str().to_owned()));
    let phone = col(|(_, p)| p.phone.as_ref().map(|v| v.as_str().to_owned()));
    let university = col(|(_, p)| p.university.clone());
    let birth: Vec<Option<NaiveDate>> = rows.iter().map(|(_, p)| p.birth_date).collect();
    let lang = col(|(_, p)| Some(p.preferred_language.code().to_owned()));
    let consent_at: Vec<DateTime<Utc>> = rows.iter().map(|(_, p)| p.consent.given_at).collect();
    let consent_version = col(|(_, p)| Some(p.consent.text_version.clone()));
    let consent_method = col(|(_, p)| Some(p.consent.method.code().to_owned()));
    let guardian = col(|(_, p)| p.guardian_name.clone());
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "insert into participants (city_id, id, first_name, last_name, email, phone, university, birth_date, \
             preferred_language, consent_given_at, consent_text_version, consent_method, guardian_name) \
         select $1, * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
             $8::date[], $9::text[], $10::timestamptz[], $11::text[], $12::text[], $13::text[])",
    )
    .bind(city)
    .bind(ids)
    .bind(first)
    .bind(last)
    .bind(email)
    .bind(phone)
    .bind(university)
    .bind(birth)
    .bind(lang)
    .bind(consent_at)
    .bind(consent_version)
    .bind(consent_method)
    .bind(guardian)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn get(tx: &mut TenantTx, id: ParticipantId) -> Result<Participant> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from participants where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("participant"))
}

/// Participants in id order (ids are time-ordered: oldest first), after a cursor.
pub async fn list(tx: &mut TenantTx, page: Page<ParticipantId>) -> Result<Vec<Participant>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from participants where city_id = $1 and ($2::uuid is null or id > $2) \
           and {LISTED} order by id limit $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(page.after.map(|p| p.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

pub async fn count(tx: &mut TenantTx) -> Result<i64> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from participants where city_id = $1 and {LISTED}"
    )))
    .bind(city)
    .fetch_one(conn)
    .await?)
}

/// The participant with this email in the city, if any.
pub async fn by_email(tx: &mut TenantTx, email: &Email) -> Result<Option<Participant>> {
    tx.name_public_row(PublicRow::Email, email.as_str()).await?;
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from participants where city_id = $1 and email = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(email.as_str())
        .fetch_optional(conn)
        .await?)
}

/// Several participants at once (one statement for a page of rows).
pub async fn by_ids(tx: &mut TenantTx, ids: &[ParticipantId]) -> Result<Vec<Participant>> {
    let ids: Vec<Uuid> = ids.iter().map(ParticipantId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from participants where city_id = $1 and id = any($2)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// A member of a group: the participant's row and, when asked for, their
/// attendance over all their marked sessions.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    #[sqlx(try_from = "Uuid")]
    pub group_id: GroupId,
    #[sqlx(flatten)]
    pub participant: Participant,
    /// Sessions marked present or late, and sessions marked at all (0 and 0
    /// for someone never marked); `None` when the rates were not asked for.
    pub attended: Option<i64>,
    pub marked: Option<i64>,
}

/// The members of several groups with their participant rows, in group and
/// then participant id order: one statement for a page of groups (the
/// membership joined to its participants, both narrowed to the city). With
/// `rates`, each member's attendance too, as
/// `attendance::rates_of_participants` counts it (every mark of theirs,
/// present or late counted as attended).
///
/// The rates are counted per member row, laterally, so each member's marks
/// are read through the `(city_id, participant_id)` index; counting the
/// members' marks in one aggregate instead made PostgreSQL hash-join and sort
/// every mark of the city: one client ran it 192-199 times a second against
/// 270-276 this way, for 300 members and 6,000 marks (docs/benchmarks.md).
/// Someone in two of the groups is counted twice over the same marks, which
/// gives the same rate.
pub async fn of_groups(tx: &mut TenantTx, groups: &[GroupId], rates: bool) -> Result<Vec<Member>> {
    let ids: Vec<Uuid> = groups.iter().map(GroupId::as_uuid).collect();
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect();
    let columns = columns.join(", ");
    let (rate_columns, rate_join) = if rates {
        (
            "r.attended, r.marked",
            "cross join lateral ( \
                 select count(*) filter (where a.mark in ('present', 'late')) as attended, \
                        count(*) as marked \
                 from attendance a \
                 where a.city_id = $1 and a.participant_id = m.participant_id) r ",
        )
    } else {
        ("null::bigint as attended, null::bigint as marked", "")
    };
    let sql = format!(
        "select m.group_id, {columns}, {rate_columns} \
         from group_members m \
         join participants p on p.city_id = $1 and p.id = m.participant_id \
         {rate_join}\
         where m.city_id = $1 and m.group_id = any($2) \
         order by m.group_id, m.participant_id"
    );
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// Filters of the participant list; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of a name or email, any case.
    pub search: Option<String>,
    pub language: Option<Language>,
    /// Only those who applied to this season…
    pub season: Option<soi_core::SeasonId>,
    /// …and (with `season`) whose application has this status.
    pub status: Option<soi_core::states::EnrollmentStatus>,
}

/// Participants matching the filter, in id order, after a cursor.
pub async fn search(
    tx: &mut TenantTx,
    filter: &Filter,
    page: Page<ParticipantId>,
) -> Result<Vec<Participant>> {
    // LIKE wildcards in the search text are taken literally.
    let pattern = filter.search.as_ref().map(|s| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from participants p \
         where p.city_id = $1 and ($2::uuid is null or p.id > $2) and {LISTED_P} \
           and ($3::text is null or p.first_name ilike $3 or p.last_name ilike $3 or p.email ilike $3 \
                or (p.first_name || ' ' || p.last_name) ilike $3) \
           and ($4::text is null or p.preferred_language = $4) \
           and ($5::uuid is null or exists ( \
                select 1 from enrollments e where e.city_id = $1 and e.participant_id = p.id \
                  and e.season_id = $5 and ($6::text is null or e.status = $6))) \
         order by p.id limit $7"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(page.after.map(|p| p.as_uuid()))
        .bind(pattern)
        .bind(filter.language.map(Language::code))
        .bind(filter.season.map(|s| s.as_uuid()))
        .bind(filter.status.map(soi_core::states::EnrollmentStatus::code))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// The city's participants with these emails (lower-cased, as stored), one
/// statement for a whole import file.
pub async fn by_emails(tx: &mut TenantTx, emails: &[String]) -> Result<Vec<Participant>> {
    super::people::by_emails(tx, "participants", COLUMNS, emails).await
}

/// Replaces a participant's details (not the email, which identifies them,
/// and not the consent record, which only the person's own act changes).
pub async fn update_details(
    tx: &mut TenantTx,
    id: ParticipantId,
    new: &NewParticipant,
) -> Result<()> {
    let set = "first_name = $3, last_name = $4, phone = $5, university = $6, \
               birth_date = $7, preferred_language = $8, guardian_name = $9";
    super::people::update_details(tx, "participants", id.as_uuid(), set, |q| {
        q.bind(new.first_name.as_str())
            .bind(new.last_name.as_str())
            .bind(new.phone.as_ref().map(Phone::as_str))
            .bind(new.university.as_deref())
            .bind(new.birth_date)
            .bind(new.preferred_language.code())
            .bind(new.guardian_name.as_deref())
    })
    .await
}

/// Records the consent a person gave last (with a confirmed application):
/// the record's consent columns hold the latest one, each application its
/// own. A new consent ends an earlier withdrawal and its scheduled erasure.
pub async fn record_consent(tx: &mut TenantTx, id: ParticipantId, consent: &Consent) -> Result<()> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update participants \
         set consent_given_at = $3, consent_text_version = $4, consent_method = $5, \
             consent_withdrawn_at = null, erasure_due_at = null, updated_at = now() \
         where city_id = $1 and id = $2 and erased_at is null",
    )
    .bind(city)
    .bind(id.as_uuid())
    .bind(consent.given_at)
    .bind(&consent.text_version)
    .bind(consent.method.code())
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("participant"));
    }
    Ok(())
}
