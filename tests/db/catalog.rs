//! The tenancy contract over the live schema, and proof that the checker
//! catches a table that breaks it.

use soi_tests::{TestDb, catalog, catalog_roles, launch};
use sqlx::Executor;

#[tokio::test]
async fn live_schema_meets_the_tenancy_contract() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    for slug in ["almaty", "astana", "shymkent"] {
        launch(&sys, slug).await;
    }
    let mut conn = t.raw().await;
    let tables = catalog::city_tables(&mut conn).await;
    for expected in [
        "participants",
        "coaches",
        "coach_certificates",
        "rinks",
        "seasons",
        "enrollments",
        "groups",
        "group_members",
        "group_coaches",
        "training_sessions",
        "attendance",
        "skill_assessments",
    ] {
        assert!(
            tables.iter().any(|t| t == expected),
            "{expected} is not seen as a city table: {tables:?}"
        );
    }
    let problems = catalog::violations(&mut conn).await;
    assert!(
        problems.is_empty(),
        "tenancy contract broken:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn a_city_table_without_rls_is_caught() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    conn.execute("create table rogue (city_id uuid, id uuid primary key)")
        .await
        .expect("create");
    let problems = catalog::violations(&mut conn).await;
    for needle in [
        "rogue: city_id is nullable",
        "rogue: row-level security is not enabled and forced",
        "rogue: no city_isolation policy",
        "rogue: primary key does not start with city_id",
        "rogue: no restrictive policy for 'public' on SELECT",
        "rogue: no restrictive policy for 'public' on DELETE",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(needle)),
            "missing '{needle}' in {problems:?}"
        );
    }
}

#[tokio::test]
async fn a_foreign_key_without_city_id_is_caught() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    conn.execute(
        "create table notes (city_id uuid not null, id uuid not null, participant_id uuid not null, \
           primary key (city_id, id)); \
         alter table notes add constraint notes_participant foreign key (city_id, participant_id) \
           references participants (city_id, id); \
         create unique index participants_id_only on participants (id); \
         alter table notes add constraint notes_bad foreign key (participant_id) references participants (id); \
         select soi_apply_tenancy('notes', 'select')",
    )
    .await
    .expect("create");
    let problems = catalog::violations(&mut conn).await;
    assert!(
        problems
            .iter()
            .any(|p| p == "notes: foreign key notes_bad does not include city_id"),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("notes_participant")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn an_unprotected_partition_or_open_view_is_caught() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    launch(&sys, "almaty").await;
    let mut conn = t.raw().await;
    let part: String = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_inherits i on i.inhrelid = c.oid \
         where i.inhparent = 'attendance'::regclass limit 1",
    )
    .fetch_one(&mut conn)
    .await
    .expect("partition");
    conn.execute(sqlx::AssertSqlSafe(format!(
        "alter table {part} no force row level security; grant select on {part} to soi_app; \
         create view all_people as select first_name from participants; grant select on all_people to soi_app"
    )))
    .await
    .expect("weaken");
    let problems = catalog::violations(&mut conn).await;
    assert!(
        problems.iter().any(
            |p| p == &format!("partition {part}: row-level security is not enabled and forced")
        )
    );
    assert!(
        problems
            .iter()
            .any(|p| p == &format!("partition {part}: soi_app has a privilege on it"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "view all_people: readable by soi_app but not security_invoker")
    );
}

#[tokio::test]
async fn a_wrong_partition_key_or_a_missing_partition_is_caught() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    // A partitioned table by another key, and a city without partitions.
    conn.execute(
        "create table by_time (city_id uuid not null, id uuid not null, at date not null, primary key (city_id, id, at)) \
           partition by range (at); \
         select soi_apply_tenancy('by_time', 'select'); \
         insert into cities (id, slug, name_kk, name_ru, name_en, time_zone) \
           values (gen_random_uuid(), 'half-launched', 'a', 'b', 'c', 'Asia/Almaty')",
    )
    .await
    .expect("create");
    let problems = catalog::violations(&mut conn).await;
    assert!(
        problems
            .iter()
            .any(|p| p == "by_time: partitioned by something else than LIST (city_id)"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "attendance: city half-launched has no partition"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn the_runtime_role_cannot_read_a_partition_directly() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let city = launch(&sys, "almaty").await;
    let mut app = t.raw_app().await;
    let part = format!("attendance_p_{}", city.id.as_uuid().simple());
    let err = app
        .execute(sqlx::AssertSqlSafe(format!("select * from {part}")))
        .await
        .expect_err("a partition must be closed to soi_app");
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn every_city_table_is_shut_to_the_public_role_but_for_what_it_needs() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    let problems = catalog_roles::public_scope_violations(&mut conn).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A table made the usual way starts shut to 'public'; one whose public
    // policy goes, or a restrictive policy for every role, is caught.
    conn.execute(
        "create table notes (city_id uuid not null, id uuid not null, primary key (city_id, id)); \
         select soi_apply_tenancy('notes', 'select, insert')",
    )
    .await
    .expect("create");
    assert!(
        catalog_roles::public_scope_violations(&mut conn)
            .await
            .is_empty()
    );
    conn.execute(
        "drop policy public_insert on notes; \
         create policy no_coaches on notes as restrictive for select using (soi_role() <> 'coach')",
    )
    .await
    .expect("weaken");
    let problems = catalog_roles::public_scope_violations(&mut conn).await;
    assert_eq!(
        problems,
        [
            "notes: no restrictive policy for 'public' on INSERT",
            "notes: restrictive policy no_coaches binds every role, not soi_app",
        ]
    );
}

#[tokio::test]
async fn no_policy_calls_a_function_that_is_parsed_at_every_plan() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    let problems = catalog_roles::inlined_policy_calls(&mut conn).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The public policies made from now on read the role directly; a
    // policy written the old way is caught.
    conn.execute(
        "create table notes (city_id uuid not null, id uuid not null, primary key (city_id, id)); \
         select soi_apply_tenancy('notes', 'select, insert'); \
         select soi_public_may('notes', 'select', 'true')",
    )
    .await
    .expect("create");
    assert!(
        catalog_roles::inlined_policy_calls(&mut conn)
            .await
            .is_empty()
    );
    conn.execute(
        "create policy no_coaches on notes as restrictive for select to soi_app \
         using ((select soi_role()) <> 'coach')",
    )
    .await
    .expect("policy");
    assert_eq!(
        catalog_roles::inlined_policy_calls(&mut conn).await,
        [
            "notes: policy no_coaches calls soi_role, a plain SQL function, inlined and parsed at every plan"
        ]
    );
}

#[tokio::test]
async fn definer_functions_run_as_roles_that_row_level_security_binds() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    let problems = catalog_roles::definer_violations(&mut conn).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let owners: Vec<(String, bool, bool, bool)> = sqlx::query_as(
        "select distinct r.rolname::text, r.rolsuper, r.rolbypassrls, r.rolcanlogin \
         from pg_proc p join pg_roles r on r.oid = p.proowner \
         where p.prosecdef and (p.proname like 'soi\\_rollup\\_%' or p.proname = 'soi_city_month')",
    )
    .fetch_all(&mut conn)
    .await
    .expect("owners");
    assert_eq!(owners, [("soi_rollup".to_owned(), false, false, false)]);
    // A definer function left to the migrating (super)user is caught.
    conn.execute(
        "create function soi_rollup_rogue() returns void language sql security definer \
         set search_path = public, pg_temp as 'select 1'",
    )
    .await
    .expect("create");
    let problems = catalog_roles::definer_violations(&mut conn).await;
    assert!(
        problems.iter().any(|p| p
            .starts_with("function soi_rollup_rogue: security definer owned by ")
            && p.ends_with("not [\"soi_rollup\"]")),
        "{problems:?}"
    );
}
