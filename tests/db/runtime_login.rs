//! The runtime logs in as soi_app itself, so nothing that reaches SQL can go
//! back (RESET ROLE) or over (SET ROLE) to a role that row-level security
//! does not bind; a privileged login is refused when configured so.

use soi_db::{Db, PrivilegedLogin};
use soi_tests::TestDb;
use sqlx::Executor;

#[tokio::test]
async fn the_runtime_pool_logs_in_as_soi_app_itself() {
    let t = TestDb::new().await;
    let db = t.db().await;
    assert_eq!(db.login().await.expect("login"), "soi_app");
    assert_eq!(db.role().await.expect("role"), "soi_app");
}

#[tokio::test]
async fn the_runtime_connection_cannot_reset_or_set_role_to_a_privileged_one() {
    let t = TestDb::new().await;
    let superuser: String = sqlx::query_scalar("select current_user::text")
        .fetch_one(&mut t.raw().await)
        .await
        .expect("owner");
    let mut app = t.raw_app().await;
    app.execute("reset role").await.expect("reset role");
    let (current, session): (String, String) =
        sqlx::query_as("select current_user::text, session_user::text")
            .fetch_one(&mut app)
            .await
            .expect("who");
    assert_eq!((current.as_str(), session.as_str()), ("soi_app", "soi_app"));
    let err = app
        .execute(sqlx::AssertSqlSafe(format!("set role \"{superuser}\"")))
        .await
        .expect_err("soi_app must not become the superuser");
    assert!(err.to_string().contains("permission denied"), "{err}");
    // Nor any role that bypasses RLS or owns a table.
    let reachable: Vec<String> = sqlx::query_scalar(
        "select o.rolname::text from pg_roles o \
         where pg_has_role(session_user, o.oid, 'member') \
           and (o.rolsuper or o.rolbypassrls \
                or exists (select 1 from pg_class c where c.relowner = o.oid \
                           and c.relnamespace = 'public'::regnamespace))",
    )
    .fetch_all(&mut app)
    .await
    .expect("roles");
    assert!(reachable.is_empty(), "soi_app can become {reachable:?}");
}

#[tokio::test]
async fn a_privileged_runtime_login_is_refused_when_configured_so() {
    let t = TestDb::new().await;
    let mut cfg = t.superuser_config();
    cfg.privileged_login = PrivilegedLogin::Refuse;
    let err = Db::connect(&cfg)
        .await
        .expect_err("a superuser login must be refused");
    assert!(err.to_string().contains("RESET ROLE"), "{err}");
    // A login that may SET ROLE to the tables' owner is as privileged.
    let mut raw = t.raw().await;
    let owner: String = sqlx::query_scalar(
        "select pg_get_userbyid(relowner)::text from pg_class where relname = 'seasons'",
    )
    .fetch_one(&mut raw)
    .await
    .expect("owner");
    let role = format!("soi_t_{}", uuid::Uuid::new_v4().simple());
    raw.execute(sqlx::AssertSqlSafe(format!(
        "create role {role} login; grant soi_app to {role}; grant \"{owner}\" to {role}"
    )))
    .await
    .expect("role");
    let mut cfg = soi_db::DbConfig::new(t.url_as(&role));
    cfg.privileged_login = PrivilegedLogin::Refuse;
    let result = Db::connect(&cfg).await;
    raw.execute(sqlx::AssertSqlSafe(format!("drop role {role}")))
        .await
        .expect("drop role");
    let err = result.expect_err("a login that can become the owner must be refused");
    assert!(err.to_string().contains("RESET ROLE"), "{err}");
    // Warned about only, it starts, acting as soi_app.
    let mut cfg = t.superuser_config();
    cfg.privileged_login = PrivilegedLogin::Warn;
    let db = Db::connect(&cfg).await.expect("warned, not refused");
    assert_eq!(db.role().await.expect("role"), "soi_app");
}

/// The runtime's connections plan each statement for its own city: with a
/// partition per city, a generic plan would be built over every partition
/// (see `Db::connect`), and JIT costs short queries more than it saves.
#[tokio::test]
async fn the_runtime_pool_plans_every_statement_for_its_city_and_does_not_jit() {
    let t = TestDb::new().await;
    let db = t.db().await;
    let mode = db.setting("plan_cache_mode").await.expect("setting");
    assert_eq!(mode, "force_custom_plan");
    assert_eq!(db.setting("jit").await.expect("setting"), "off");
}
