//! Seasons: one six-month run of the program. Every query runs inside a
//! [`TenantTx`] and names `city_id = $1`.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::NaiveDate;
use soi_core::SeasonId;
use soi_core::states::SeasonPhase;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Season {
    #[sqlx(try_from = "Uuid")]
    pub id: SeasonId,
    pub title: String,
    pub social_theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    #[sqlx(try_from = "String")]
    pub phase: SeasonPhase,
    pub auto_accept: bool,
}

#[derive(Debug, Clone)]
pub struct NewSeason {
    pub title: String,
    pub social_theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    pub auto_accept: bool,
}

const COLUMNS: &str = "id, title, social_theme, starts_on, ends_on, capacity, phase, auto_accept";

pub async fn insert(tx: &mut TenantTx, id: SeasonId, new: &NewSeason) -> Result<Season> {
    let sql = format!(
        "insert into seasons (city_id, id, title, social_theme, starts_on, ends_on, capacity, auto_accept) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    );
    write(tx, sql, id, new).await
}

/// Runs an insert or update whose `$3`–`$8` are a season's editable fields.
async fn write(tx: &mut TenantTx, sql: String, id: SeasonId, new: &NewSeason) -> Result<Season> {
    let (city, conn) = tx.parts();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(&new.title)
        .bind(&new.social_theme)
        .bind(new.starts_on)
        .bind(new.ends_on)
        .bind(new.capacity)
        .bind(new.auto_accept)
        .fetch_one(conn)
        .await?)
}

pub async fn get(tx: &mut TenantTx, id: SeasonId) -> Result<Season> {
    fetch(tx, id, "").await
}

/// One season, read plainly or with a row lock (`suffix`, a fixed clause).
async fn fetch(tx: &mut TenantTx, id: SeasonId, suffix: &'static str) -> Result<Season> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from seasons where city_id = $1 and id = $2{suffix}");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("season"))
}

/// Newest first.
pub async fn list(tx: &mut TenantTx, page: Page<SeasonId>) -> Result<Vec<Season>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from seasons where city_id = $1 and ($2::uuid is null or id < $2) \
         order by id desc limit $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(page.after.map(|s| s.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// Moves the season one phase forward; any other move is a `CONFLICT`.
pub async fn move_to_phase(tx: &mut TenantTx, id: SeasonId, next: SeasonPhase) -> Result<Season> {
    let current = get(tx, id).await?;
    if !current.phase.can_move_to(next) {
        return Err(Error::Conflict(format!(
            "a season in phase {} cannot move to {}",
            current.phase, next
        )));
    }
    let (city, conn) = tx.parts();
    let sql = format!(
        "update seasons set phase = $3 where city_id = $1 and id = $2 and phase = $4 returning {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .bind(next.code())
        .bind(current.phase.code())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::Conflict("the season changed meanwhile; try again".into()))
}

/// Seasons in the recruiting phase, each with the seats already taken.
pub async fn open_for_applications(tx: &mut TenantTx) -> Result<Vec<(Season, i64)>> {
    let (city, conn) = tx.parts();
    let rows: Vec<OpenRow> = sqlx::query_as(
        "select s.id, s.title, s.social_theme, s.starts_on, s.ends_on, s.capacity, s.phase, s.auto_accept, \
                (select count(*) from enrollments e \
                 where e.city_id = $1 and e.season_id = s.id and e.status in ('accepted', 'active', 'completed')) as taken \
         from seasons s where s.city_id = $1 and s.phase = 'recruiting' order by s.starts_on, s.id",
    )
    .bind(city)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.season, r.taken)).collect())
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    #[sqlx(flatten)]
    season: Season,
    taken: i64,
}

/// The season, locked until the transaction ends: decisions that take or
/// free seats of one season run one after another (other seasons and cities
/// are not held up).
pub async fn lock(tx: &mut TenantTx, id: SeasonId) -> Result<Season> {
    fetch(tx, id, " for update").await
}

/// Replaces the editable fields. That capacity does not drop below the
/// seats taken is the caller's rule (`soi_service::program::seasons::update`),
/// under [`lock`].
pub async fn update(tx: &mut TenantTx, id: SeasonId, new: &NewSeason) -> Result<Season> {
    let sql = format!(
        "update seasons set title = $3, social_theme = $4, starts_on = $5, ends_on = $6, capacity = $7, auto_accept = $8 \
         where city_id = $1 and id = $2 returning {COLUMNS}"
    );
    write(tx, sql, id, new).await
}

/// Several seasons at once (one statement for a page of parents).
pub async fn by_ids(tx: &mut TenantTx, ids: &[SeasonId]) -> Result<Vec<Season>> {
    let ids: Vec<Uuid> = ids.iter().map(SeasonId::as_uuid).collect();
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from seasons where city_id = $1 and id = any($2)");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(ids)
        .fetch_all(conn)
        .await?)
}
