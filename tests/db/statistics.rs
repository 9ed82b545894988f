//! The planner knows that a parent's key names its city: every two-column
//! foreign key `(city_id, parent_id)` of an unpartitioned city table has a
//! functional-dependency statistic on the two columns (migration
//! `20261207000040_parent_city_statistics`). Without it a big city's rows
//! of a few parents are estimated as the city's share times the parents'
//! share, and the plan turns to probes (docs/scale-out.md).

use soi_tests::TestDb;
use sqlx::{Executor, PgConnection};

/// `table.parent_id` for each such foreign key without a dependency
/// statistic covering exactly that column and `city_id`.
async fn missing(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "select t.relname || '.' || a.attname \
         from pg_constraint c \
         join pg_class t on t.oid = c.conrelid \
         join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey) \
         join pg_attribute city on city.attrelid = c.conrelid and city.attname = 'city_id' \
         where c.contype = 'f' and t.relkind = 'r' and not t.relispartition \
           and t.relnamespace = 'public'::regnamespace \
           and cardinality(c.conkey) = 2 and city.attnum = any (c.conkey) \
           and a.attname <> 'city_id' \
           and not exists ( \
             select 1 from pg_statistic_ext s \
             where s.stxrelid = c.conrelid and 'f' = any (s.stxkind) \
               and s.stxkeys::int2[] @> array[a.attnum, city.attnum] \
               and cardinality(s.stxkeys::int2[]) = 2) \
         order by 1",
    )
    .fetch_all(conn)
    .await
    .expect("statistics")
}

#[tokio::test]
async fn every_parent_key_has_its_city_statistics() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    let missing = missing(&mut conn).await;
    assert!(
        missing.is_empty(),
        "foreign keys without a dependency statistic on the parent and city_id \
         (add one as migration 20261207000040 does): {missing:?}"
    );
    // The check sees the tables it is about.
    let covered: i64 = sqlx::query_scalar(
        "select count(*) from pg_statistic_ext where stxname in \
         ('group_members_group_id_city', 'training_sessions_group_id_city', 'groups_season_id_city')",
    )
    .fetch_one(&mut conn)
    .await
    .expect("count");
    assert_eq!(covered, 3);
}

#[tokio::test]
async fn a_parent_key_without_its_statistics_is_caught() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    conn.execute(
        "create table notes (city_id uuid not null, id uuid not null, group_id uuid not null, \
           primary key (city_id, id), \
           foreign key (city_id, group_id) references groups (city_id, id))",
    )
    .await
    .expect("create");
    assert_eq!(missing(&mut conn).await, ["notes.group_id"]);
    conn.execute(
        "create statistics notes_group_id_city (dependencies) on group_id, city_id from notes",
    )
    .await
    .expect("statistics");
    assert!(missing(&mut conn).await.is_empty());
}

/// With 200 cities of one small group each and one city of 15 groups of 20,
/// the big city's members of its groups are estimated near the 300 they
/// are, not at the city's share times the groups' share (2 without the
/// statistic).
#[tokio::test]
async fn a_big_citys_members_of_its_groups_are_estimated_near_their_number() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    // As the owner: rows only, no launch (none of these tables is
    // partitioned), and no season labels for the rollups (their trigger
    // writes as a city's tenant).
    conn.execute(
        "alter table seasons disable trigger rollup_label; \
         create temp table c as select gen_random_uuid() as id, n from generate_series(0, 200) n; \
         insert into cities (id, slug, name_kk, name_ru, name_en, time_zone) \
           select id, 'stat-' || n, 'c', 'c', 'c', 'Asia/Almaty' from c; \
         create temp table s as select id as city_id, gen_random_uuid() as season_id from c; \
         insert into seasons (city_id, id, title, social_theme, starts_on, ends_on, capacity) \
           select city_id, season_id, 's', 't', date '2026-09-01', date '2027-03-01', 400 from s; \
         create temp table g as select c.id as city_id, s.season_id, gen_random_uuid() as id, k \
           from c join s on s.city_id = c.id, generate_series(1, 15) k where c.n = 0 or k = 1; \
         insert into groups (city_id, id, season_id, name) select city_id, id, season_id, 'g' || k from g; \
         create temp table m as select g.city_id, g.id as group_id, gen_random_uuid() as participant_id \
           from g, generate_series(1, 20) j; \
         insert into participants (city_id, id, first_name, last_name, email, consent_given_at, \
             consent_text_version, consent_method) \
           select city_id, participant_id, 'a', 'b', participant_id || '@example.kz', now(), 'v1', 'web_form' \
           from m; \
         insert into group_members (city_id, group_id, participant_id) \
           select city_id, group_id, participant_id from m; \
         analyze group_members",
    )
    .await
    .expect("load");
    let big: uuid::Uuid = sqlx::query_scalar("select id from c where n = 0")
        .fetch_one(&mut conn)
        .await
        .expect("big city");
    let groups: Vec<uuid::Uuid> = sqlx::query_scalar("select id from g where city_id = $1")
        .bind(big)
        .fetch_all(&mut conn)
        .await
        .expect("groups");
    // Constants, as a custom plan sees the statement's parameters.
    let list: Vec<String> = groups.iter().map(ToString::to_string).collect();
    let statement = format!(
        "select participant_id from group_members where city_id = '{big}' \
         and group_id = any ('{{{}}}'::uuid[])",
        list.join(",")
    );
    let actual: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from ({statement}) q"
    )))
    .fetch_one(&mut conn)
    .await
    .expect("count");
    assert_eq!(actual, 300);
    let estimate = estimated_rows(&mut conn, &statement).await;
    assert!(
        (150.0..=600.0).contains(&estimate),
        "estimated {estimate} rows of {actual}"
    );
    // Without the statistic, the estimate this guards against.
    conn.execute("drop statistics group_members_group_id_city; analyze group_members")
        .await
        .expect("drop");
    let estimate = estimated_rows(&mut conn, &statement).await;
    assert!(estimate < 150.0, "estimated {estimate} rows without it");
}

async fn estimated_rows(conn: &mut PgConnection, statement: &str) -> f64 {
    let plan: serde_json::Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "explain (format json) {statement}"
    )))
    .fetch_one(conn)
    .await
    .expect("explain");
    plan[0]["Plan"]["Plan Rows"].as_f64().expect("rows")
}
