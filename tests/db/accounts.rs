//! Accounts are city data, in the database itself: as soi_app, a tenant
//! transaction of one city sees only that city's accounts (and a coach or
//! participant only their own), never a password hash, never a refresh
//! token, reset or invitation hash; no scope sees none; the narrow path
//! finds one account by its exact email and lists nothing. The catalog
//! checker catches each way of opening it up again.

use soi_tests::{TestDb, catalog};
use sqlx::{Executor, PgConnection};

/// soi_app in a transaction with these settings (as a tenant transaction
/// sets them).
async fn as_app(
    t: &TestDb,
    city: Option<uuid::Uuid>,
    role: &str,
    account: Option<uuid::Uuid>,
) -> PgConnection {
    let mut c = t.raw_app().await;
    c.execute("begin").await.expect("begin");
    sqlx::query(
        "select set_config('soi.city_id', $1, true), set_config('soi.role', $2, true), \
                set_config('soi.account_id', $3, true)",
    )
    .bind(city.map(|c| c.to_string()).unwrap_or_default())
    .bind(role)
    .bind(account.map(|a| a.to_string()).unwrap_or_default())
    .execute(&mut c)
    .await
    .expect("settings");
    c
}

async fn count(c: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(c).await.expect(sql)
}

async fn refused(c: &mut PgConnection, sql: &'static str) -> bool {
    c.execute("savepoint s").await.expect("savepoint");
    let r = c.execute(sql).await;
    c.execute("rollback to savepoint s")
        .await
        .expect("rollback");
    match r {
        Err(sqlx::Error::Database(e)) => e.code().as_deref() == Some("42501"),
        other => panic!("{sql}: expected a permission error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_city_sees_only_its_own_accounts_and_no_secret_anywhere() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    let mut owner = t.raw().await;
    let cities: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("select id, slug from cities order by slug")
            .fetch_all(&mut owner)
            .await
            .expect("cities");
    let almaty = cities[0].0;
    let per_city: i64 = sqlx::query_scalar("select count(*) from accounts where home_city_id = $1")
        .bind(almaty)
        .fetch_one(&mut owner)
        .await
        .expect("count");
    assert!(per_city >= 3);

    let mut c = as_app(&t, Some(almaty), "", None).await;
    assert_eq!(
        count(&mut c, "select count(*) from accounts").await,
        per_city
    );
    assert_eq!(
        count(&mut c, "select count(*) from accounts where home_city_id is distinct from current_setting('soi.city_id')::uuid").await,
        0
    );
    assert_eq!(
        count(
            &mut c,
            "select count(*) from accounts where email like '%astana%' or role = 'national'"
        )
        .await,
        0
    );
    for sql in [
        "select password_hash from accounts",
        "select * from accounts",
        "select * from refresh_tokens",
        "select * from password_resets",
        "select token_hash from invitations",
        "select * from national_audit_log",
        "insert into accounts (id, email, password_hash, role) values (gen_random_uuid(), 'x@y.kz', '$argon2id$x', 'national')",
        "update accounts set password_hash = '$argon2id$x'",
        "select soi_auth_create_account('x@y.kz', '$argon2id$x', 'national', null, null, null, 'ru')",
        "select soi_auth_invite_national('x@y.kz', 'ru', sha256('t'), now() + interval '1 day')",
        "insert into national_outbox (id, kind, idempotency_key, recipient_email, language) \
         values (gen_random_uuid(), 'invitation', 'k', 'x@y.kz', 'ru')",
    ] {
        assert!(refused(&mut c, sql).await, "{sql} was allowed");
    }
    // Another city's rows cannot be changed from here.
    let changed = sqlx::query("update accounts set disabled = true where home_city_id <> current_setting('soi.city_id')::uuid")
        .execute(&mut c)
        .await
        .expect("update")
        .rows_affected();
    assert_eq!(changed, 0);
    // The narrow path: one account by its exact address, nothing by pattern.
    assert_eq!(
        count(
            &mut c,
            "select count(*) from soi_auth_sign_in_lookup('admin@astana.soi.test')"
        )
        .await,
        1
    );
    assert_eq!(
        count(&mut c, "select count(*) from soi_auth_sign_in_lookup('%')").await,
        0
    );
    assert_eq!(
        count(
            &mut c,
            "select count(*) from soi_auth_sign_in_lookup('%soi.test')"
        )
        .await,
        0
    );
    c.execute("rollback").await.expect("rollback");

    // No scope (a national transaction): no accounts at all.
    let mut c = as_app(&t, None, "", None).await;
    assert_eq!(count(&mut c, "select count(*) from accounts").await, 0);
    assert_eq!(count(&mut c, "select count(*) from invitations").await, 0);
    c.execute("rollback").await.expect("rollback");

    // A coach of the city: their own row only.
    let coach: uuid::Uuid =
        sqlx::query_scalar("select id from accounts where email = 'coach@almaty.soi.test'")
            .fetch_one(&mut owner)
            .await
            .expect("coach");
    let mut c = as_app(&t, Some(almaty), "coach", Some(coach)).await;
    let seen: Vec<uuid::Uuid> = sqlx::query_scalar("select id from accounts")
        .fetch_all(&mut c)
        .await
        .expect("own row");
    assert_eq!(seen, vec![coach]);
    assert_eq!(count(&mut c, "select count(*) from invitations").await, 0);
    // …and changes nothing, not even their own role.
    let promoted = sqlx::query("update accounts set role = 'chapter_admin', coach_id = null")
        .execute(&mut c)
        .await
        .expect("update")
        .rows_affected();
    assert_eq!(promoted, 0, "a coach promoted themselves");
    c.execute("rollback").await.expect("rollback");

    // A public operation's scope: no accounts, no invitations, no writes.
    let mut c = as_app(&t, Some(almaty), "public", None).await;
    assert_eq!(count(&mut c, "select count(*) from accounts").await, 0);
    assert_eq!(count(&mut c, "select count(*) from invitations").await, 0);
    let planted = sqlx::query(
        "insert into invitations (id, home_city_id, email, role, language, token_hash, expires_at) \
         values (gen_random_uuid(), current_setting('soi.city_id')::uuid, 'x@y.kz', 'chapter_admin', \
                 'ru', sha256('chosen'), now() + interval '1 day')",
    )
    .execute(&mut c)
    .await;
    assert!(
        matches!(&planted, Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501")),
        "a public scope planted an invitation: {planted:?}"
    );
    c.execute("rollback").await.expect("rollback");
}

#[tokio::test]
async fn opening_accounts_up_again_is_caught_by_the_catalog_checker() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    assert!(catalog::violations(&mut conn).await.is_empty());
    conn.execute(
        "alter table accounts no force row level security; \
         grant select (password_hash) on accounts to soi_app; \
         create policy everyone on invitations for select to soi_app using (true); \
         create function leak() returns setof text language sql security definer as $$ select email from accounts $$; \
         grant execute on function leak() to soi_app; \
         create policy cities_too on national_outbox for select using (true)",
    )
    .await
    .expect("weaken");
    let problems = catalog::violations(&mut conn).await;
    for needle in [
        "accounts: row-level security is not enabled and forced",
        "accounts: soi_app may read password_hash",
        "invitations: soi_app's rows are not limited to the scope's city by home_city_id",
        "function leak: security definer callable by soi_app",
        "function leak: security definer without a pinned search_path ending in pg_temp",
        "national_outbox: rows are not limited to work with no city set",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(needle)),
            "missing '{needle}' in {problems:?}"
        );
    }
}
