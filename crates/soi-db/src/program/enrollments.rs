//! Applications and enrollments: a participant in a season. Every query runs
//! inside a [`TenantTx`] and names `city_id = $1` on each city table, subquery
//! included (the planner does not carry it into an aggregate subquery).

use super::participants::Consent;
use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::states::{ConsentMethod, EnrollmentStatus};
use soi_core::{EnrollmentId, ParticipantId, SeasonId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Enrollment {
    #[sqlx(try_from = "Uuid")]
    pub id: EnrollmentId,
    #[sqlx(try_from = "Uuid")]
    pub season_id: SeasonId,
    #[sqlx(try_from = "Uuid")]
    pub participant_id: ParticipantId,
    #[sqlx(try_from = "String")]
    pub status: EnrollmentStatus,
    pub motivation: Option<String>,
    pub applied_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The consent given with this application (law No. 94-V).
    pub consent_given_at: DateTime<Utc>,
    pub consent_text_version: String,
    #[sqlx(try_from = "String")]
    pub consent_method: ConsentMethod,
}

/// A row to insert in bulk (imports, seeds).
#[derive(Debug, Clone)]
pub struct EnrollmentRow {
    pub id: EnrollmentId,
    pub season: SeasonId,
    pub participant: ParticipantId,
    pub status: EnrollmentStatus,
    pub applied_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, season_id, participant_id, status, motivation, applied_at, decided_at, \
                       consent_given_at, consent_text_version, consent_method";

/// A new application in status `applied`, with the consent given with it.
pub async fn apply(
    tx: &mut TenantTx,
    id: EnrollmentId,
    season: SeasonId,
    participant: ParticipantId,
    motivation: Option<&str>,
    consent: &Consent,
) -> Result<Enrollment> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into enrollments (city_id, id, season_id, participant_id, motivation, \
                                  consent_given_at, consent_text_version, consent_method) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(season.as_uuid())
        .bind(participant.as_uuid())
        .bind(motivation)
        .bind(consent.given_at)
        .bind(&consent.text_version)
        .bind(consent.method.code())
        .fetch_one(conn)
        .await?)
}

pub async fn insert_many(tx: &mut TenantTx, rows: &[EnrollmentRow]) -> Result<u64> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.as_uuid()).collect();
    let seasons: Vec<Uuid> = rows.iter().map(|r| r.season.as_uuid()).collect();
    let people: Vec<Uuid> = rows.iter().map(|r| r.participant.as_uuid()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.code()).collect();
    let applied: Vec<DateTime<Utc>> = rows.iter().map(|r| r.applied_at).collect();
    let (city, conn) = tx.parts();
    // Imported and seeded applications carry the consent on the person's
    // record (the paper form the import recorded with them).
    let done = sqlx::query(
        "insert into enrollments (city_id, id, season_id, participant_id, status, applied_at, decided_at, \
                                  consent_given_at, consent_text_version, consent_method) \
         select $1, u.id, u.season_id, u.participant_id, u.status, u.applied_at, \
                case when u.status = 'applied' then null else u.applied_at end, \
                p.consent_given_at, p.consent_text_version, p.consent_method \
         from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[]) \
              as u (id, season_id, participant_id, status, applied_at) \
         join participants p on p.city_id = $1 and p.id = u.participant_id",
    )
    .bind(city)
    .bind(ids)
    .bind(seasons)
    .bind(people)
    .bind(statuses)
    .bind(applied)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn get(tx: &mut TenantTx, id: EnrollmentId) -> Result<Enrollment> {
    let (city, conn) = tx.parts();
    get_on(conn, city, id).await
}

/// The read behind [`get`], on any connection (the benchmark runs it as the
/// owner too, so both sides run the very same statement).
pub(crate) async fn get_on<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    city: Uuid,
    id: EnrollmentId,
) -> Result<Enrollment> {
    let sql = format!("select {COLUMNS} from enrollments where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("application"))
}

/// A season's enrollments in application order, optionally of one status.
pub async fn list_by_season(
    tx: &mut TenantTx,
    season: SeasonId,
    status: Option<EnrollmentStatus>,
    page: Page<EnrollmentId>,
) -> Result<Vec<Enrollment>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from enrollments \
         where city_id = $1 and season_id = $2 and ($3::text is null or status = $3) \
           and ($4::uuid is null or id > $4) \
         order by id limit $5"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(season.as_uuid())
        .bind(status.map(EnrollmentStatus::code))
        .bind(page.after.map(|e| e.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// Seats of the season taken by accepted, active or completed participants.
pub async fn seats_taken(tx: &mut TenantTx, season: SeasonId) -> Result<i64> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_scalar(
        "select count(*) from enrollments \
         where city_id = $1 and season_id = $2 and status in ('accepted', 'active', 'completed')",
    )
    .bind(city)
    .bind(season.as_uuid())
    .fetch_one(conn)
    .await?)
}

/// Moves an enrollment to `next` if the program allows the move from its
/// current status; the row is locked so concurrent decisions serialize.
pub async fn set_status(
    tx: &mut TenantTx,
    id: EnrollmentId,
    next: EnrollmentStatus,
) -> Result<Enrollment> {
    let (city, conn) = tx.parts();
    let current: Option<String> = sqlx::query_scalar(
        "select status from enrollments where city_id = $1 and id = $2 for update",
    )
    .bind(city)
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await?;
    let current = EnrollmentStatus::parse(&current.ok_or(Error::NotFound("application"))?)?;
    if !current.can_move_to(next) {
        return Err(Error::Conflict(format!(
            "an application that is {current} cannot become {next}"
        )));
    }
    let sql = format!(
        "update enrollments set status = $3, updated_at = now(), \
             decided_at = case when $3 in ('accepted', 'waitlisted', 'rejected') then now() else decided_at end \
         where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(next.code())
        .fetch_one(conn)
        .await?)
}

/// The longest-waiting waitlisted application of a season, if any.
pub async fn first_waitlisted(tx: &mut TenantTx, season: SeasonId) -> Result<Option<Enrollment>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from enrollments where city_id = $1 and season_id = $2 and status = 'waitlisted' \
         order by applied_at, id limit 1"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(season.as_uuid())
        .fetch_optional(conn)
        .await?)
}

/// A participant's application to a season, if they applied.
pub async fn of_participant(
    tx: &mut TenantTx,
    season: SeasonId,
    participant: ParticipantId,
) -> Result<Option<Enrollment>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from enrollments where city_id = $1 and season_id = $2 and participant_id = $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(season.as_uuid())
        .bind(participant.as_uuid())
        .fetch_optional(conn)
        .await?)
}

/// Seats taken in each of several seasons (one statement).
pub async fn seats_taken_of_seasons(
    tx: &mut TenantTx,
    seasons: &[SeasonId],
) -> Result<Vec<(SeasonId, i64)>> {
    let ids: Vec<Uuid> = seasons.iter().map(SeasonId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "select season_id, count(*) from enrollments \
         where city_id = $1 and season_id = any($2) and status in ('accepted', 'active', 'completed') \
         group by season_id",
    )
    .bind(city)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (SeasonId::from(s), n))
        .collect())
}

/// The statuses of a participant's applications in every season (an
/// invitation to a participant's account needs one that holds a seat).
pub async fn statuses_of_participant(
    tx: &mut TenantTx,
    participant: ParticipantId,
) -> Result<Vec<EnrollmentStatus>> {
    let (city, conn) = tx.parts();
    let codes: Vec<String> = sqlx::query_scalar(
        "select status from enrollments where city_id = $1 and participant_id = $2",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .fetch_all(conn)
    .await?;
    codes
        .iter()
        .map(|c| EnrollmentStatus::parse(c).map_err(Error::Invalid))
        .collect()
}

/// The season's enrollments of these participants (one statement for an
/// import file).
pub async fn of_participants(
    tx: &mut TenantTx,
    season: SeasonId,
    participants: &[ParticipantId],
) -> Result<Vec<Enrollment>> {
    let ids: Vec<Uuid> = participants.iter().map(ParticipantId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from enrollments \
         where city_id = $1 and season_id = $2 and participant_id = any($3)"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(season.as_uuid())
        .bind(ids)
        .fetch_all(conn)
        .await?)
}

/// A participant's applications still being processed (applied, accepted,
/// waitlisted, active), in the order they came.
pub async fn open_of_participant(
    tx: &mut TenantTx,
    participant: ParticipantId,
) -> Result<Vec<Enrollment>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from enrollments where city_id = $1 and participant_id = $2 \
         and status in ('applied', 'accepted', 'waitlisted', 'active') order by applied_at, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(participant.as_uuid())
        .fetch_all(conn)
        .await?)
}

/// Erases the free text of a participant's applications (their motivation);
/// status and dates stay, so no figure moves. Returns how many changed.
pub async fn erase_motivations(tx: &mut TenantTx, participant: ParticipantId) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done = sqlx::query(
        "update enrollments set motivation = null \
         where city_id = $1 and participant_id = $2 and motivation is not null",
    )
    .bind(city)
    .bind(participant.as_uuid())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
