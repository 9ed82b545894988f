//! The accounts part of the tenancy contract: home-city tables (accounts
//! and invitations, whose rows belong to a city or to the nation) and the
//! narrow path of security-definer functions that is the only way to them
//! before a city is known.

use sqlx::PgConnection;

async fn rows<T>(conn: &mut PgConnection, sql: &'static str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql).fetch_all(conn).await.expect(sql)
}

/// Tables of rows that belong to a city or to the nation (`home_city_id`,
/// null for national rows): a city's rows only in its own scope, national
/// ones in none; secrets in no column soi_app may read. Sign-in reaches them
/// before a city is known through `soi_auth_*` functions only.
pub const HOME_CITY_TABLES: &[(&str, &str)] =
    &[("accounts", "password_hash"), ("invitations", "token_hash")];

/// National tables of the alliance's own mail (national accounts belong to
/// no city): soi_app may use them only where no city is set, so no city's
/// scope ever sees the addresses they hold.
pub const NO_CITY_TABLES: &[&str] = &["national_outbox"];

/// The role that owns the narrow path's functions.
pub const NARROW_PATH_OWNER: &str = "soi_auth";

/// The narrow path: the only security-definer functions soi_app may call.
/// Each finds one row by a key the caller holds; a new one is added here
/// only after the review that it cannot list.
pub const NARROW_PATH: &[&str] = &[
    "soi_auth_accept_invitation",
    "soi_auth_account",
    // erases the one account (and its invitations) of a participant of the
    // scope's city, for its admins or system work; returns a count, no row
    "soi_auth_erase_participant",
    "soi_auth_invitation_target",
    "soi_auth_password_hash",
    "soi_auth_request_reset",
    "soi_auth_reset_email",
    "soi_auth_reset_password",
    "soi_auth_revoke_refresh",
    "soi_auth_session_version",
    "soi_auth_set_language",
    "soi_auth_set_password",
    "soi_auth_sign_in_lookup",
    "soi_auth_signed_in",
    "soi_auth_store_refresh",
    "soi_auth_use_refresh",
];

/// Home-city tables: RLS enabled and forced, soi_app's rows limited to the
/// scope's city in reads and writes, and no secret column readable.
pub(crate) async fn home_city_violations(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();
    for (table, secret) in HOME_CITY_TABLES {
        let row: Option<(bool, bool, bool, bool)> = sqlx::query_as(
            "select c.relrowsecurity, c.relforcerowsecurity, \
                    exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polcmd = '*' and p.polpermissive \
                            and (select oid from pg_roles where rolname = 'soi_app') = any (p.polroles) \
                            and pg_get_expr(p.polqual, p.polrelid) like '(home_city_id = ( SELECT%current_setting(''soi.city_id''::text, true)%' \
                            and pg_get_expr(p.polwithcheck, p.polrelid) like '(home_city_id = ( SELECT%current_setting(''soi.city_id''::text, true)%'), \
                    not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polpermissive \
                                and (0 = any (p.polroles) or (select oid from pg_roles where rolname = 'soi_app') = any (p.polroles)) \
                                and pg_get_expr(p.polqual, p.polrelid) not like '(home_city_id = ( SELECT%current_setting(''soi.city_id''::text, true)%') \
             from pg_class c where c.relname = $1 and c.relnamespace = 'public'::regnamespace",
        )
        .bind(table)
        .fetch_optional(&mut *conn)
        .await
        .expect("home-city table");
        match row {
            None => out.push(format!("{table}: missing")),
            Some((rls, force, policy, only)) => {
                if !rls || !force {
                    out.push(format!(
                        "{table}: row-level security is not enabled and forced"
                    ));
                }
                if !policy || !only {
                    out.push(format!(
                        "{table}: soi_app's rows are not limited to the scope's city by home_city_id"
                    ));
                }
            }
        }
        let readable: bool = sqlx::query_scalar(
            "select has_column_privilege('soi_app', format('public.%I', $1::text), $2, 'select')",
        )
        .bind(table)
        .bind(secret)
        .fetch_one(&mut *conn)
        .await
        .expect("column privilege");
        if readable {
            out.push(format!("{table}: soi_app may read {secret}"));
        }
    }
    out
}

/// No-city tables: RLS enabled and forced, and every permissive policy
/// (for any role) lets rows through only where `soi.city_id` is unset.
pub(crate) async fn no_city_violations(conn: &mut PgConnection) -> Vec<String> {
    const NO_CITY: &str = "(NULLIF(current_setting('soi.city_id'::text, true), ''::text) IS NULL)";
    let mut out = Vec::new();
    for table in NO_CITY_TABLES {
        let row: Option<(bool, bool, bool, bool)> = sqlx::query_as(
            "select c.relrowsecurity, c.relforcerowsecurity, \
                    exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polpermissive), \
                    not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polpermissive \
                                and (pg_get_expr(p.polqual, p.polrelid) is distinct from $2 \
                                     or pg_get_expr(p.polwithcheck, p.polrelid) is distinct from $2)) \
             from pg_class c where c.relname = $1 and c.relnamespace = 'public'::regnamespace",
        )
        .bind(table)
        .bind(NO_CITY)
        .fetch_optional(&mut *conn)
        .await
        .expect("no-city table");
        match row {
            None => out.push(format!("{table}: missing")),
            Some((rls, force, any, only)) => {
                if !rls || !force {
                    out.push(format!(
                        "{table}: row-level security is not enabled and forced"
                    ));
                }
                if !any || !only {
                    out.push(format!(
                        "{table}: rows are not limited to work with no city set"
                    ));
                }
            }
        }
    }
    out
}

/// Security-definer functions soi_app may call: only the narrow path's,
/// owned by a role that cannot sign in, is bound by RLS and that soi_app is
/// not a member of, each with a pinned search_path.
pub(crate) async fn narrow_path_violations(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();
    let definers: Vec<(String, String, bool)> = rows(
        conn,
        "select p.proname::text, pg_get_userbyid(p.proowner)::text, \
                coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%pg_temp'), false) \
         from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prosecdef \
           and has_function_privilege('soi_app', p.oid, 'execute') order by 1",
    )
    .await;
    for (f, owner, pinned) in definers {
        if owner != NARROW_PATH_OWNER || !NARROW_PATH.contains(&f.as_str()) {
            out.push(format!(
                "function {f}: security definer callable by soi_app (owner {owner})"
            ));
        }
        if !pinned {
            out.push(format!(
                "function {f}: security definer without a pinned search_path ending in pg_temp"
            ));
        }
    }
    let owner: Vec<(bool, bool, bool, bool)> = rows(
        conn,
        "select r.rolsuper, r.rolbypassrls, r.rolcanlogin, pg_has_role('soi_app', r.oid, 'member') \
         from pg_roles r where r.rolname = 'soi_auth'",
    )
    .await;
    match owner.first() {
        None => out.push("role soi_auth does not exist".into()),
        Some((superuser, bypass, login, member)) => {
            if *superuser || *bypass {
                out.push("soi_auth is a superuser or has BYPASSRLS".into());
            }
            if *login {
                out.push("soi_auth can log in".into());
            }
            if *member {
                out.push("soi_app is a member of soi_auth".into());
            }
        }
    }
    out
}
