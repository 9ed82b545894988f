//! Applications typed with an address the city already knows, waiting for
//! that address to confirm them (the emailed single-use link). They change
//! nothing of the person's record until then. Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::conn::PublicRow;
use crate::{Result, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{EnrollmentId, ParticipantId, SeasonId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRequest {
    /// Becomes the application's id when confirmed.
    #[sqlx(try_from = "Uuid")]
    pub id: EnrollmentId,
    #[sqlx(try_from = "Uuid")]
    pub season_id: SeasonId,
    #[sqlx(try_from = "Uuid")]
    pub participant_id: ParticipantId,
    pub motivation: Option<String>,
    pub consent_text_version: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A request to store: the token is stored only as its SHA-256 hash.
#[derive(Debug, Clone)]
pub struct NewApplicationRequest<'a> {
    pub id: EnrollmentId,
    pub season: SeasonId,
    pub participant: ParticipantId,
    pub token_hash: &'a [u8],
    pub motivation: Option<&'a str>,
    pub consent_text_version: &'a str,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, season_id, participant_id, motivation, consent_text_version, created_at, expires_at";

/// Stores a request, replacing the person's pending one for the season (only
/// the newest link works), and drops the city's expired requests with it.
pub async fn replace(tx: &mut TenantTx, new: &NewApplicationRequest<'_>) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query(
        "delete from application_requests \
         where city_id = $1 and (expires_at <= now() or (season_id = $2 and participant_id = $3))",
    )
    .bind(city)
    .bind(new.season.as_uuid())
    .bind(new.participant.as_uuid())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into application_requests \
             (city_id, id, season_id, participant_id, token_hash, motivation, consent_text_version, expires_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(city)
    .bind(new.id.as_uuid())
    .bind(new.season.as_uuid())
    .bind(new.participant.as_uuid())
    .bind(new.token_hash)
    .bind(new.motivation)
    .bind(new.consent_text_version)
    .bind(new.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the request the token names (deleted in the caller's transaction,
/// so a rollback keeps it and two clicks cannot both confirm). Expired ones
/// are returned too: the caller tells them apart.
pub async fn take(tx: &mut TenantTx, token_hash: &[u8]) -> Result<Option<ApplicationRequest>> {
    // A public scope sees only the request its token names, and then the
    // one participant that request is for.
    tx.name_public_row(PublicRow::RequestToken, &hex(token_hash))
        .await?;
    let (city, conn) = tx.parts();
    let sql = format!(
        "delete from application_requests where city_id = $1 and token_hash = $2 returning {COLUMNS}"
    );
    let taken: Option<ApplicationRequest> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    if let Some(r) = &taken {
        let who = r.participant_id.as_uuid().to_string();
        tx.name_public_row(PublicRow::Participant, &who).await?;
    }
    Ok(taken)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The pending requests of one person (an access request shows them).
pub async fn of_participant(
    tx: &mut TenantTx,
    participant: ParticipantId,
) -> Result<Vec<ApplicationRequest>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from application_requests \
         where city_id = $1 and participant_id = $2 order by created_at"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(participant.as_uuid())
        .fetch_all(conn)
        .await?)
}

/// Deletes one person's pending requests (erasure); how many went.
pub async fn delete_of_participant(tx: &mut TenantTx, participant: ParticipantId) -> Result<u64> {
    let (city, conn) = tx.parts();
    let done =
        sqlx::query("delete from application_requests where city_id = $1 and participant_id = $2")
            .bind(city)
            .bind(participant.as_uuid())
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}
