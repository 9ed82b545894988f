//! Append-only holds for the owner too, as far as the database can hold it:
//! the ledger and the audit logs refuse TRUNCATE (whole tables, and each
//! city's partition, new cities' included), and — where the migrating role is
//! a superuser, as here — detaching or dropping their partitions. What only
//! discipline can hold (disabling triggers, dropping the guards) is in the
//! README.

use soi_tests::{TestDb, launch};
use sqlx::{Connection, Executor, PgConnection};

/// Runs `sql` as the owner inside a transaction that is rolled back; the
/// SQLSTATE it failed with, if it failed.
async fn refused_with(conn: &mut PgConnection, sql: &str) -> Option<String> {
    let mut tx = conn.begin().await.expect("begin");
    let out = tx.execute(sqlx::AssertSqlSafe(sql.to_owned())).await;
    tx.rollback().await.expect("rollback");
    match out {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => Some(e.code().unwrap_or_default().into_owned()),
        Err(e) => panic!("{sql}: {e}"),
    }
}

#[tokio::test]
async fn the_owner_cannot_truncate_detach_or_drop_the_ledger_or_the_audit_logs() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let city = launch(&sys, "aktobe").await;
    let mut owner = t.raw().await;
    let superuser: bool =
        sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
            .fetch_one(&mut owner)
            .await
            .expect("role");
    assert!(
        superuser,
        "the test database's owner is a superuser here; the DDL guards need one"
    );
    let hex = city.id.as_uuid().simple().to_string();
    for table in ["ledger_entries", "audit_log", "national_audit_log"] {
        let sql = format!("truncate {table} cascade");
        assert_eq!(
            refused_with(&mut owner, &sql).await.as_deref(),
            Some("42501"),
            "{sql}"
        );
    }
    for parent in ["ledger_entries", "audit_log"] {
        let part = format!("{parent}_p_{hex}");
        for sql in [
            // CASCADE, so the ledger's own foreign keys are not what refuses.
            format!("truncate {part} cascade"),
            format!("alter table {parent} detach partition {part}"),
            format!("drop table {part} cascade"),
        ] {
            assert_eq!(
                refused_with(&mut owner, &sql).await.as_deref(),
                Some("42501"),
                "{sql}"
            );
        }
    }
    assert_eq!(
        refused_with(&mut owner, "drop table national_audit_log cascade")
            .await
            .as_deref(),
        Some("42501")
    );
    // Other tables are as they were: a city's outbox partition may go.
    let outbox = format!("truncate outbox_p_{hex}");
    assert_eq!(refused_with(&mut owner, &outbox).await, None);
    // The runtime role has no TRUNCATE to begin with.
    let mut app = t.raw_app().await;
    assert_eq!(
        refused_with(&mut app, "truncate ledger_entries")
            .await
            .as_deref(),
        Some("42501")
    );
    app.close().await.ok();
    owner.close().await.ok();
    sys.close().await;
}
