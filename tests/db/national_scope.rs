//! The national role (`soi_national`) reads rollups, season labels and some
//! columns of cities, and nothing else: checked in the catalog (privileges,
//! attributes, ownership) and by behaviour (a report transaction probing every
//! city table of a seeded database). And the rollups themselves stay a city's
//! own for the runtime role: row-level security narrows them to the tenant's
//! city, their coach helper is out of its reach, and only triggers write them.

use soi_core::CityId;
use soi_db::cities::City;
use soi_db::reports::rollups::{self, ReportQuery};
use soi_tests::TestDb;
use sqlx::{Connection, Executor, PgConnection};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Tables the national role may select from (and only select).
const READABLE: [&str; 3] = ["rollups", "rollup_seasons", "rollup_versions"];

/// Every table, partitioned table and partition in `public`: (name, has a
/// `city_id` column, is a partition).
async fn tables(conn: &mut PgConnection) -> Vec<(String, bool, bool)> {
    sqlx::query_as(
        "select c.relname::text, \
                exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id' \
                        and not a.attisdropped), \
                c.relispartition \
         from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'f') \
         order by 1",
    )
    .fetch_all(conn)
    .await
    .expect("tables")
}

async fn privilege(conn: &mut PgConnection, table: &str, what: &str) -> bool {
    sqlx::query_scalar(
        "select has_table_privilege('soi_national', format('public.%I', $1::text), $2)",
    )
    .bind(table)
    .bind(what)
    .fetch_one(conn)
    .await
    .expect("has_table_privilege")
}

#[tokio::test]
async fn the_catalog_gives_the_national_role_rollups_and_nothing_else() {
    let t = TestDb::new().await;
    let mut raw = t.raw().await;
    let all = tables(&mut raw).await;
    let city_tables: Vec<&(String, bool, bool)> = all.iter().filter(|(_, c, p)| *c || *p).collect();
    assert!(
        city_tables.len() > 20,
        "too few city tables found: {city_tables:?}"
    );
    // Every partition and every table with a city, and every other table too
    // (accounts, refresh tokens, outbox, email preferences, migrations): no
    // privilege at all but select on the two rollup tables.
    let mut wrong = Vec::new();
    for (name, _, _) in &all {
        for what in [
            "select",
            "insert",
            "update",
            "delete",
            "truncate",
            "references",
            "trigger",
        ] {
            let has = privilege(&mut raw, name, what).await;
            let allowed = READABLE.contains(&name.as_str()) && what == "select";
            if has != allowed {
                wrong.push(format!("{name}: {what} = {has}"));
            }
        }
    }
    assert!(wrong.is_empty(), "national privileges: {wrong:#?}");
    for name in [
        "accounts",
        "refresh_tokens",
        "outbox",
        "email_preferences",
        "rollup_coach_months",
        "training_sessions",
        "attendance",
        "events",
    ] {
        assert!(
            all.iter().any(|(n, _, _)| n == name),
            "{name} is not a table any more; update this test"
        );
        assert!(
            !privilege(&mut raw, name, "select").await,
            "{name} readable"
        );
    }
    // Partitions exist for launched cities only; launch two so the check
    // above is not vacuous for them (in a fresh database there are none).
    let sys = t.system().await;
    soi_tests::launch(&sys, "scope-a").await;
    soi_tests::launch(&sys, "scope-b").await;
    let after = tables(&mut raw).await;
    let partitions: Vec<&String> = after
        .iter()
        .filter(|(_, _, p)| *p)
        .map(|(n, _, _)| n)
        .collect();
    assert!(
        partitions.len() >= 2,
        "no partitions after launching: {after:?}"
    );
    for p in &partitions {
        for what in ["select", "insert", "update", "delete"] {
            assert!(!privilege(&mut raw, p, what).await, "partition {p}: {what}");
        }
    }
    // Cities: only the public columns, never the whole table.
    let cols: Vec<String> = sqlx::query_scalar(
        "select a.attname::text from pg_attribute a where a.attrelid = 'public.cities'::regclass \
         and a.attnum > 0 and not a.attisdropped \
         and has_column_privilege('soi_national', 'public.cities', a.attname, 'select') order by 1",
    )
    .fetch_all(&mut raw)
    .await
    .expect("columns");
    assert_eq!(
        cols,
        [
            "id",
            "launched_on",
            "name_en",
            "name_kk",
            "name_ru",
            "slug",
            "status",
            "time_zone"
        ]
    );
    // No view or materialized view, no sequence but the version, no function
    // of the rollups.
    let views: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c where c.relnamespace = 'public'::regnamespace \
         and c.relkind in ('v', 'm') \
         and (has_table_privilege('soi_national', c.oid, 'select') \
              or has_any_column_privilege('soi_national', c.oid, 'select'))",
    )
    .fetch_all(&mut raw)
    .await
    .expect("views");
    assert!(views.is_empty(), "views readable by national: {views:?}");
    let columns_elsewhere: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c where c.relnamespace = 'public'::regnamespace \
         and c.relkind in ('r', 'p', 'f') and c.relname not in ('rollups', 'rollup_seasons', 'rollup_versions', 'cities') \
         and has_any_column_privilege('soi_national', c.oid, 'select')",
    )
    .fetch_all(&mut raw)
    .await
    .expect("column grants");
    assert!(
        columns_elsewhere.is_empty(),
        "column privileges for national: {columns_elsewhere:?}"
    );
    let functions: Vec<String> = sqlx::query_scalar(
        "select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'public'::regnamespace \
         and (p.proname like 'soi\\_rollup\\_%' or p.proname = 'soi_city_month') \
         and (has_function_privilege('soi_national', p.oid, 'execute') \
              or has_function_privilege('soi_app', p.oid, 'execute'))",
    )
    .fetch_all(&mut raw)
    .await
    .expect("functions");
    assert!(
        functions.is_empty(),
        "rollup functions callable: {functions:?}"
    );

    // The role itself: no superuser, no bypass of RLS, no login, inherits
    // from nobody, owns nothing.
    let (superuser, bypass, login, inherit): (bool, bool, bool, bool) = sqlx::query_as(
        "select rolsuper, rolbypassrls, rolcanlogin, rolinherit from pg_roles where rolname = 'soi_national'",
    )
    .fetch_one(&mut raw)
    .await
    .expect("role");
    assert!(!superuser && !bypass && !login, "soi_national attributes");
    let _ = inherit;
    let member_of: Vec<String> = sqlx::query_scalar(
        "select r.rolname::text from pg_auth_members m join pg_roles r on r.oid = m.roleid \
         where m.member = 'soi_national'::regrole",
    )
    .fetch_all(&mut raw)
    .await
    .expect("memberships");
    assert!(
        member_of.is_empty(),
        "soi_national is a member of {member_of:?}"
    );
    let owned: i64 = sqlx::query_scalar(
        "select (select count(*) from pg_class where relowner = 'soi_national'::regrole) \
              + (select count(*) from pg_proc where proowner = 'soi_national'::regrole) \
              + (select count(*) from pg_namespace where nspowner = 'soi_national'::regrole) \
              + (select count(*) from pg_type where typowner = 'soi_national'::regrole)",
    )
    .fetch_one(&mut raw)
    .await
    .expect("owned");
    assert_eq!(owned, 0, "soi_national owns objects");
    let bypass_app: bool = sqlx::query_scalar(
        "select rolbypassrls or rolsuper from pg_roles where rolname = 'soi_app'",
    )
    .fetch_one(&mut raw)
    .await
    .expect("app role");
    assert!(!bypass_app);
    sys.close().await;
}

async fn seeded() -> (TestDb, Vec<City>) {
    let t = TestDb::new().await;
    t.seed_demo(3).await;
    let sys = t.system().await;
    let cities = sys.cities().await.expect("cities");
    assert!(cities.len() >= 2, "{cities:?}");
    sys.close().await;
    (t, cities)
}

#[tokio::test]
async fn a_report_transaction_reads_rollups_of_every_city_and_no_city_table() {
    let (t, cities) = seeded().await;
    let mut raw = t.raw().await;
    // The seed holds people and their program in every city.
    for table in [
        "participants",
        "enrollments",
        "attendance",
        "training_sessions",
    ] {
        let per_city: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(distinct city_id) from {table}"
        )))
        .fetch_one(&mut raw)
        .await
        .expect(table);
        assert!(per_city >= 2, "{table}: data in {per_city} cities");
    }
    let accounts: i64 = sqlx::query_scalar("select count(*) from accounts")
        .fetch_one(&mut raw)
        .await
        .expect("accounts");
    assert!(accounts > 0, "the seed made no accounts");
    let all = tables(&mut raw).await;
    let db = t.db().await;
    let mut report = db.report().await.expect("report tx");
    assert_eq!(report.database_role().await.expect("role"), "soi_national");
    let mut refused = 0;
    let mut let_through = Vec::new();
    for (name, city, partition) in &all {
        if READABLE.contains(&name.as_str()) || name == "cities" {
            continue;
        }
        let probes = [
            format!("select * from public.\"{name}\" limit 1"),
            format!("select count(*) from public.\"{name}\""),
        ];
        for sql in probes {
            match report.probe(&sql).await.expect("probe") {
                Ok(()) => let_through.push(format!("{sql} (city {city}, partition {partition})")),
                Err(e) => {
                    assert!(e.contains("permission denied"), "{sql}: {e}");
                    refused += 1;
                }
            }
        }
    }
    assert!(let_through.is_empty(), "national read: {let_through:#?}");
    assert!(refused > 40, "only {refused} probes");
    // A write would be refused too (the transaction is read only besides).
    for sql in [
        "insert into rollups (city_id, month, season_id) values (gen_random_uuid(), date '2026-01-01', gen_random_uuid())",
        "update rollups set applicants = applicants + 1",
        "delete from rollups",
        "select soi_rollup_add(gen_random_uuid(), date '2026-01-01', gen_random_uuid(), applicants => 1)",
    ] {
        assert!(report.probe(sql).await.expect("probe").is_err(), "{sql}");
    }
    // What it may read: rollups, season labels, public columns of cities.
    for sql in [
        "select * from rollups",
        "select * from rollup_seasons",
        "select id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on from cities",
    ] {
        assert_eq!(report.probe(sql).await.expect("probe"), Ok(()), "{sql}");
    }
    let q = ReportQuery {
        from: chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date"),
        to: chrono::NaiveDate::from_ymd_opt(2100, 12, 1).expect("date"),
        by: Some(soi_core::report::Grouping::City),
    };
    let rows = rollups::national(&mut report, &q)
        .await
        .expect("national report");
    let seen: BTreeSet<CityId> = rows
        .iter()
        .filter_map(|r| r.city.as_ref().map(|c| c.id))
        .collect();
    let with_data: BTreeSet<CityId> = rows
        .iter()
        .filter(|r| r.figures.0.iter().any(|v| *v != 0))
        .filter_map(|r| r.city.as_ref().map(|c| c.id))
        .collect();
    assert!(
        with_data.len() >= 2,
        "national report sees figures of {with_data:?} only"
    );
    assert!(seen.iter().all(|c| cities.iter().any(|x| x.id == *c)));
    report.finish().await.expect("finish");

    // The same as a raw national session: rows of at least two cities.
    let mut national = t.raw_app().await;
    national.execute("begin").await.expect("begin");
    national
        .execute("set local role soi_national")
        .await
        .expect("role");
    let rollup_cities: Vec<Uuid> =
        sqlx::query_scalar("select distinct city_id from rollups order by 1")
            .fetch_all(&mut national)
            .await
            .expect("national reads rollups");
    assert!(rollup_cities.len() >= 2, "{rollup_cities:?}");
    let err = sqlx::query("select * from participants limit 1")
        .fetch_all(&mut national)
        .await
        .expect_err("participants as national");
    assert!(err.to_string().contains("permission denied"), "{err}");
    national.close().await.ok();
    db.close().await;
}

async fn tenant_begin(conn: &mut PgConnection, city: CityId) {
    conn.execute("begin").await.expect("begin");
    sqlx::query("select set_config('soi.city_id', $1, true)")
        .bind(city.to_string())
        .execute(&mut *conn)
        .await
        .expect("set city");
}

#[tokio::test]
async fn the_runtime_role_sees_its_city_rollups_only_and_never_writes_them() {
    let (t, cities) = seeded().await;
    let mut raw = t.raw().await;
    let per_city: Vec<(Uuid, i64)> =
        sqlx::query_as("select city_id, count(*) from rollups group by 1 order by 1")
            .fetch_all(&mut raw)
            .await
            .expect("rollups");
    assert!(per_city.len() >= 2, "rollups of {per_city:?}");
    let mut app = t.raw_app().await;
    for city in &cities {
        tenant_begin(&mut app, city.id).await;
        let seen: Vec<(Uuid, i64)> =
            sqlx::query_as("select city_id, count(*) from rollups group by 1 order by 1")
                .fetch_all(&mut app)
                .await
                .expect("tenant reads rollups");
        let want: Vec<(Uuid, i64)> = per_city
            .iter()
            .filter(|(c, _)| *c == city.id.as_uuid())
            .copied()
            .collect();
        assert_eq!(seen, want, "rollups visible in {}", city.slug);
        let seasons: Vec<Uuid> = sqlx::query_scalar("select distinct city_id from rollup_seasons")
            .fetch_all(&mut app)
            .await
            .expect("labels");
        assert!(
            seasons.iter().all(|c| *c == city.id.as_uuid()),
            "{seasons:?}"
        );
        // The coach helper holds coach ids: not readable at all.
        app.execute("savepoint s").await.expect("savepoint");
        let err = sqlx::query("select * from rollup_coach_months")
            .fetch_all(&mut app)
            .await
            .expect_err("rollup_coach_months as soi_app");
        assert!(err.to_string().contains("permission denied"), "{err}");
        app.execute("rollback to savepoint s")
            .await
            .expect("rollback");
        // Writes by hand are refused, in the tenant's own city too.
        let writes = [
            format!(
                "insert into rollups (city_id, month, season_id, applicants) values ('{}', date '2030-01-01', '{}', 5)",
                city.id,
                Uuid::nil()
            ),
            format!(
                "update rollups set applicants = applicants + 1 where city_id = '{}'",
                city.id
            ),
            format!("delete from rollups where city_id = '{}'", city.id),
            format!(
                "insert into rollup_seasons (city_id, season_id, title, starts_on) values ('{}', '{}', 'x', date '2030-01-01')",
                city.id,
                Uuid::new_v4()
            ),
            format!(
                "update rollup_seasons set title = 'x' where city_id = '{}'",
                city.id
            ),
            format!(
                "insert into rollup_coach_months (city_id, month, season_id, coach_id, marks) values ('{}', date '2030-01-01', '{}', '{}', 1)",
                city.id,
                Uuid::nil(),
                Uuid::nil()
            ),
            format!(
                "select soi_rollup_add('{}', date '2030-01-01', '{}', applicants => 5)",
                city.id,
                Uuid::nil()
            ),
        ];
        for sql in &writes {
            app.execute("savepoint s").await.expect("savepoint");
            let outcome = app.execute(sqlx::AssertSqlSafe(sql.clone())).await;
            app.execute("rollback to savepoint s")
                .await
                .expect("rollback");
            match outcome {
                Err(e) => assert!(
                    e.to_string().contains("permission denied"),
                    "{sql}: unexpected error {e}"
                ),
                // An update that matched no row would not prove anything;
                // any accepted write is a failure.
                Ok(done) => panic!("soi_app wrote: {sql} ({} rows)", done.rows_affected()),
            }
        }
        app.execute("rollback").await.expect("rollback");
    }
    // Nothing changed.
    let after: Vec<(Uuid, i64)> =
        sqlx::query_as("select city_id, count(*) from rollups group by 1 order by 1")
            .fetch_all(&mut raw)
            .await
            .expect("rollups");
    assert_eq!(after, per_city);
    app.close().await.ok();
}

/// The counters on sessions and events carry their share of the rollups, so
/// writing them by hand would forge the figures as surely as writing the
/// rollups: the runtime role must not be able to change them.
#[tokio::test]
async fn the_runtime_role_cannot_forge_the_counters_behind_rollups() {
    let (t, cities) = seeded().await;
    let mut raw = t.raw().await;
    let mut app = t.raw_app().await;
    let mut forged = Vec::new();
    for city in &cities {
        let before: Vec<(Uuid, chrono::NaiveDate, Uuid, i32, i32)> = sqlx::query_as(
            "select city_id, month, season_id, attendance_marks, tickets_sold from rollups \
             where city_id = $1 order by 1, 2, 3",
        )
        .bind(city.id.as_uuid())
        .fetch_all(&mut raw)
        .await
        .expect("rollups");
        for sql in [
            "update training_sessions set marks_total = marks_total + 7, marks_present = marks_present + 7",
            "update events set tickets_sold = tickets_sold + 7, tickets_checked_in = tickets_checked_in + 7",
        ] {
            tenant_begin(&mut app, city.id).await;
            let outcome = app.execute(sql).await;
            let changed: Vec<(Uuid, chrono::NaiveDate, Uuid, i32, i32)> = sqlx::query_as(
                "select city_id, month, season_id, attendance_marks, tickets_sold from rollups \
                 where city_id = $1 order by 1, 2, 3",
            )
            .bind(city.id.as_uuid())
            .fetch_all(&mut app)
            .await
            .unwrap_or_default();
            app.execute("rollback").await.expect("rollback");
            match outcome {
                Err(e) => assert!(e.to_string().contains("permission denied"), "{sql}: {e}"),
                Ok(done) if done.rows_affected() > 0 => forged.push(format!(
                    "{}: `{sql}` accepted ({} rows); rollups in that transaction {}",
                    city.slug,
                    done.rows_affected(),
                    if changed == before {
                        "unchanged"
                    } else {
                        "CHANGED"
                    }
                )),
                Ok(_) => {}
            }
        }
    }
    // The counters behind the rollups are written by the triggers only:
    // soi_app's column rights leave them out.
    assert!(
        forged.is_empty(),
        "counters writable by soi_app: {forged:#?}"
    );
    app.close().await.ok();
}
