//! Behaviour of the tenancy contract with several cities holding data: what a
//! tenant transaction can see and change, and what nothing can.

use soi_core::{CityId, SystemCtx};
use soi_db::cities::City;
use soi_db::program::participants;
use soi_db::{Db, Page};
use soi_tests::{TestDb, catalog};
use sqlx::{Connection, Executor, PgConnection};
use std::collections::HashSet;

async fn seeded() -> (TestDb, Vec<City>) {
    let t = TestDb::new().await;
    t.seed_demo(11).await;
    let sys = t.system().await;
    let cities = sys.cities().await.expect("cities");
    assert_eq!(cities.len(), 3);
    (t, cities)
}

async fn set_city(conn: &mut PgConnection, city: Option<CityId>) {
    let v = city.map(|c| c.to_string()).unwrap_or_default();
    sqlx::query("select set_config('soi.city_id', $1, true)")
        .bind(v)
        .execute(&mut *conn)
        .await
        .expect("set");
}

/// Whether the connection's role may read the table at all: a trigger's
/// helper that holds coach ids refuses the runtime role outright (the
/// catalog tests pin which), so it shows nothing either way.
async fn readable(conn: &mut PgConnection, table: &str) -> bool {
    sqlx::query_scalar("select has_table_privilege(current_user, $1, 'select')")
        .bind(table)
        .fetch_one(conn)
        .await
        .expect(table)
}

/// (rows visible, rows of another city among them) for a table.
async fn visible(conn: &mut PgConnection, table: &str, city: CityId) -> (i64, i64) {
    if !readable(conn, table).await {
        return (0, 0);
    }
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select count(*), count(*) filter (where city_id <> $1) from {table}"
    )))
    .bind(city.as_uuid())
    .fetch_one(conn)
    .await
    .expect(table)
}

#[tokio::test]
async fn a_tenant_transaction_sees_only_its_city_in_every_city_table() {
    let (t, cities) = seeded().await;
    let mut owner = t.raw().await;
    let tables = catalog::city_tables(&mut owner).await;
    let mut app = t.raw_app().await;
    for city in &cities {
        let mut tx = app.begin().await.expect("begin");
        set_city(&mut tx, Some(city.id)).await;
        for table in &tables {
            if !readable(&mut tx, table).await {
                continue;
            }
            let (seen, foreign) = visible(&mut tx, table, city.id).await;
            assert!(
                seen > 0,
                "{table} has no rows for {}: the test would prove nothing",
                city.slug
            );
            assert_eq!(
                foreign, 0,
                "{table} shows another city's rows to {}",
                city.slug
            );
        }
        tx.commit().await.expect("commit");
    }
}

#[tokio::test]
async fn with_no_city_set_every_city_table_is_empty() {
    let (t, cities) = seeded().await;
    let mut owner = t.raw().await;
    let tables = catalog::city_tables(&mut owner).await;
    let mut app = t.raw_app().await;
    for table in &tables {
        // Never set in this session, then set to '' in a transaction.
        assert_eq!(
            visible(&mut app, table, cities[0].id).await.0,
            0,
            "{table} without a city"
        );
        let mut tx = app.begin().await.expect("begin");
        set_city(&mut tx, None).await;
        assert_eq!(
            visible(&mut tx, table, cities[0].id).await.0,
            0,
            "{table} with an empty city"
        );
        tx.rollback().await.expect("rollback");
    }
}

/// A city's rink names, read as the owner.
async fn rinks_named(conn: &mut PgConnection, city: CityId) -> Vec<String> {
    sqlx::query_scalar("select name from rinks where city_id = $1 order by name")
        .bind(city.as_uuid())
        .fetch_all(conn)
        .await
        .expect("rinks")
}

#[tokio::test]
async fn writes_that_name_another_city_are_refused() {
    let (t, cities) = seeded().await;
    let (a, b) = (&cities[0], &cities[1]);
    let mut owner = t.raw().await;
    let before = rinks_named(&mut owner, b.id).await;
    let mut app = t.raw_app().await;

    let mut tx = app.begin().await.expect("begin");
    set_city(&mut tx, Some(a.id)).await;
    let insert = sqlx::query(
        "insert into rinks (city_id, id, name, address) values ($1, gen_random_uuid(), 'x', 'y')",
    )
    .bind(b.id.as_uuid())
    .execute(&mut *tx)
    .await;
    let err = insert.expect_err("an insert into another city must fail");
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.expect("rollback");

    let mut tx = app.begin().await.expect("begin");
    set_city(&mut tx, Some(a.id)).await;
    let updated = sqlx::query("update rinks set name = 'moved' where city_id = $1")
        .bind(b.id.as_uuid())
        .execute(&mut *tx)
        .await
        .expect("update runs");
    assert_eq!(
        updated.rows_affected(),
        0,
        "another city's rows are invisible to update"
    );
    let deleted = sqlx::query("delete from group_members where city_id = $1")
        .bind(b.id.as_uuid())
        .execute(&mut *tx)
        .await
        .expect("delete runs");
    assert_eq!(
        deleted.rows_affected(),
        0,
        "another city's rows are invisible to delete"
    );
    let moved = sqlx::query("update rinks set city_id = $1 where city_id = $2")
        .bind(b.id.as_uuid())
        .bind(a.id.as_uuid())
        .execute(&mut *tx)
        .await;
    assert!(moved.is_err(), "moving a row into another city must fail");
    tx.rollback().await.expect("rollback");

    assert_eq!(
        rinks_named(&mut owner, b.id).await,
        before,
        "city B is unchanged"
    );
}

#[tokio::test]
async fn a_query_that_forgets_city_id_still_reads_only_its_city() {
    let (t, cities) = seeded().await;
    let (a, b) = (&cities[0], &cities[1]);
    let mut owner = t.raw().await;
    let b_email: String =
        sqlx::query_scalar("select email from participants where city_id = $1 limit 1")
            .bind(b.id.as_uuid())
            .fetch_one(&mut owner)
            .await
            .expect("email");
    let a_total: i64 = sqlx::query_scalar("select count(*) from participants where city_id = $1")
        .bind(a.id.as_uuid())
        .fetch_one(&mut owner)
        .await
        .expect("count");
    let mut app = t.raw_app().await;
    let mut tx = app.begin().await.expect("begin");
    set_city(&mut tx, Some(a.id)).await;
    // The "bug": no city_id in the WHERE clause.
    let found: Option<String> =
        sqlx::query_scalar("select email from participants where email = $1")
            .bind(&b_email)
            .fetch_optional(&mut *tx)
            .await
            .expect("query");
    assert_eq!(found, None);
    let n: i64 = sqlx::query_scalar(
        "select count(*) from attendance a join participants p using (city_id) \
                                      where p.id = a.participant_id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("join");
    let a_marks: i64 = sqlx::query_scalar("select count(*) from attendance")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(n, a_marks);
    let all: i64 = sqlx::query_scalar("select count(*) from participants")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(all, a_total);
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn alternating_cities_over_two_connections_never_see_each_other() {
    let (t, cities) = seeded().await;
    let mut cfg = t.config();
    cfg.max_connections = 2;
    let db = Db::connect(&cfg).await.expect("pool");
    let sys = t.system().await;
    let ctx = SystemCtx::new("isolation-test");

    // Each city's participants, read through the owner's connection.
    let mut owner = t.raw().await;
    let mut expected = Vec::new();
    for c in &cities[..2] {
        let ids: Vec<uuid::Uuid> =
            sqlx::query_scalar("select id from participants where city_id = $1")
                .bind(c.id.as_uuid())
                .fetch_all(&mut owner)
                .await
                .expect("ids");
        expected.push((c.id, ids.into_iter().collect::<HashSet<_>>()));
    }
    drop(sys);

    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..2usize {
        let (db, expected) = (db.clone(), expected.clone());
        workers.spawn(async move {
            for i in 0..500usize {
                let (city, ids) = &expected[(i + worker) % 2];
                let mut tx = db.tenant(&ctx.in_city(*city)).await.expect("tenant");
                assert_eq!(tx.database_scope().await.expect("scope"), Some(*city));
                let rows = participants::list(&mut tx, Page::first(100))
                    .await
                    .expect("list");
                assert_eq!(rows.len(), ids.len());
                assert!(
                    rows.iter().all(|p| ids.contains(&p.id.as_uuid())),
                    "a row of another city"
                );
                if i % 2 == 0 {
                    tx.commit().await.expect("commit")
                } else {
                    tx.rollback().await.expect("rollback")
                }
                // The pooled connection carries no city into the next transaction.
                let mut national = db.national().await.expect("national");
                assert_eq!(national.database_scope().await.expect("scope"), None);
                national.commit().await.expect("commit");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("worker");
    }
    let (size, _) = db.pool_usage();
    assert!(size <= 2);
}

#[tokio::test]
async fn the_runtime_pool_runs_as_soi_app_even_when_the_url_is_a_superuser() {
    let t = TestDb::new().await;
    let mut raw = t.raw().await;
    let superuser: bool =
        sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
            .fetch_one(&mut raw)
            .await
            .expect("role");
    assert!(
        superuser,
        "the test URL should log in as a superuser for this test to mean anything"
    );
    let db = Db::connect(&t.superuser_config())
        .await
        .expect("runtime pool");
    assert_eq!(db.role().await.expect("role"), "soi_app");
}

#[tokio::test]
async fn a_user_that_cannot_become_soi_app_is_refused_at_start() {
    let t = TestDb::new().await;
    let mut raw = t.raw().await;
    let role = format!("soi_t_{}", uuid::Uuid::new_v4().simple());
    raw.execute(sqlx::AssertSqlSafe(format!("create role {role} login")))
        .await
        .expect("role");
    let url = t.url_as(&role);
    let result = Db::connect(&soi_db::DbConfig::new(url)).await;
    raw.execute(sqlx::AssertSqlSafe(format!("drop role {role}")))
        .await
        .expect("drop role");
    let err = result.expect_err("must refuse");
    assert!(err.to_string().contains("cannot act as soi_app"), "{err}");
}
