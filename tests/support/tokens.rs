//! Accounts and access tokens made without signing in: an account written
//! through the owner's connection, and a token signed with the test key at
//! its current session version, as sign-in issues them (the gateway refuses
//! a token whose account does not exist or has moved on).

use crate::{TEST_JWT_SECRET, TestDb};
use soi_auth::TokenKeys;
use soi_core::{CityId, CoachId, ParticipantId, Principal, Role};
use sqlx::Row;

/// A new account with the role, of `city` (`None` for the national role);
/// a coach's account gets a coach id. Returns its id.
pub async fn account(t: &TestDb, city: Option<CityId>, role: Role) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    let coach = (role == Role::Coach).then(uuid::Uuid::new_v4);
    let mut conn = t.raw().await;
    sqlx::query(
        "insert into accounts (id, email, password_hash, role, home_city_id, coach_id) \
         values ($1, $2, '$argon2id$v=19$no-sign-in', $3, $4, $5)",
    )
    .bind(id)
    .bind(format!("{}@accounts.soi.test", id.simple()))
    .bind(role.code())
    .bind(city.map(|c| c.as_uuid()))
    .bind(coach)
    .execute(&mut conn)
    .await
    .expect("account");
    id
}

/// A token of the account at its current session version, valid for `ttl`
/// seconds from now.
pub async fn token(t: &TestDb, id: uuid::Uuid, ttl: u64) -> String {
    let mut conn = t.raw().await;
    let row = sqlx::query(
        "select role, home_city_id, coach_id, participant_id, auth_version \
         from accounts where id = $1",
    )
    .bind(id)
    .fetch_one(&mut conn)
    .await
    .expect("account");
    let principal = Principal::new(
        id,
        Role::parse(&row.get::<String, _>("role")).expect("role"),
        row.get::<Option<uuid::Uuid>, _>("home_city_id")
            .map(CityId::from),
        row.get::<Option<uuid::Uuid>, _>("coach_id")
            .map(CoachId::from),
        row.get::<Option<uuid::Uuid>, _>("participant_id")
            .map(ParticipantId::from),
    )
    .expect("principal");
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("clock");
    TokenKeys::new(&TEST_JWT_SECRET.to_owned().into(), ttl)
        .issue_session(&principal, row.get("auth_version"), now)
        .expect("token")
}
