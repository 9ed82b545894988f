//! The roles part of the tenancy contract: what a public scope (soi.role =
//! 'public') may do in each city table, and who security-definer functions
//! run as.

use sqlx::PgConnection;

/// The commands every city table names a public policy for, as `pg_policy`
/// spells them.
const COMMANDS: &[(&str, &str)] = &[
    ("r", "SELECT"),
    ("a", "INSERT"),
    ("w", "UPDATE"),
    ("d", "DELETE"),
];

/// Roles that may own security-definer functions, and the functions each
/// owns (a LIKE pattern): none of them may log in, bypass RLS or be a superuser.
pub const DEFINER_OWNERS: &[(&str, &str)] = &[
    ("soi_auth", "soi\\_auth\\_%"),
    ("soi_rollup", "soi\\_rollup\\_%"),
    ("soi_rollup", "soi_city_month"),
];

/// Every city table (and home-city table) has, for soi_app, a restrictive
/// policy per command that names the 'public' role value, so anonymous work
/// gets only what a migration opened for it; and no restrictive policy binds
/// every role (the definer roles' work is bound by city isolation and grants).
pub async fn public_scope_violations(conn: &mut PgConnection) -> Vec<String> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "select c.relname::text from pg_class c \
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and not a.attisdropped \
                       and a.attname in ('city_id', 'home_city_id')) \
         order by 1",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("city tables");
    let mut out = Vec::new();
    for (table,) in tables {
        for (cmd, name) in COMMANDS {
            let guarded: bool = sqlx::query_scalar(
                "select exists (select 1 from pg_policy p \
                 where p.polrelid = format('public.%I', $1::text)::regclass and not p.polpermissive \
                   and p.polcmd = $2::\"char\" \
                   and (select oid from pg_roles where rolname = 'soi_app') = any (p.polroles) \
                   and coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) \
                       similar to '%(soi_role\\(\\)|current_setting\\(''soi.role''::text, true\\))%''public''::text%')",
            )
            .bind(&table)
            .bind(cmd)
            .fetch_one(&mut *conn)
            .await
            .expect("public policy");
            if !guarded {
                out.push(format!(
                    "{table}: no restrictive policy for 'public' on {name}"
                ));
            }
        }
    }
    let everyone: Vec<(String, String)> = sqlx::query_as(
        "select c.relname::text, p.polname::text from pg_policy p join pg_class c on c.oid = p.polrelid \
         where c.relnamespace = 'public'::regnamespace and not p.polpermissive and 0 = any (p.polroles) \
         order by 1, 2",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("restrictive policies");
    for (table, policy) in everyone {
        out.push(format!(
            "{table}: restrictive policy {policy} binds every role, not soi_app"
        ));
    }
    out
}

/// Plain SQL functions that PostgreSQL does not inline: a body with a
/// sub-query (an EXISTS) is planned as a function of its own.
const NOT_INLINED: &[&str] = &["soi_coaches_group"];

/// Policies that call a plain SQL function (language sql, not security
/// definer, no settings of its own), which PostgreSQL inlines when its body
/// is a single expression: inlining parses the function's text again on
/// every plan, and the runtime plans every statement
/// (migrations/20261207000060_policies_read_settings.sql). Telling which
/// bodies PostgreSQL would inline is left to [`NOT_INLINED`].
pub async fn inlined_policy_calls(conn: &mut PgConnection) -> Vec<String> {
    let calls: Vec<(String, String, String)> = sqlx::query_as(
        "select distinct c.relname::text, pol.polname::text, pr.proname::text \
         from pg_depend d \
         join pg_policy pol on d.classid = 'pg_policy'::regclass and d.objid = pol.oid \
         join pg_class c on c.oid = pol.polrelid \
         join pg_proc pr on d.refclassid = 'pg_proc'::regclass and d.refobjid = pr.oid \
         where c.relnamespace = 'public'::regnamespace \
           and pr.prolang = (select oid from pg_language where lanname = 'sql') \
           and not pr.prosecdef and pr.proconfig is null \
           and pr.proname <> all ($1) \
         order by 1, 2, 3",
    )
    .bind(NOT_INLINED)
    .fetch_all(&mut *conn)
    .await
    .expect("policy calls");
    calls
        .into_iter()
        .map(|(table, policy, f)| {
            format!("{table}: policy {policy} calls {f}, a plain SQL function, inlined and parsed at every plan")
        })
        .collect()
}

/// Every security-definer function belongs to the role meant for it, which
/// cannot log in, is no superuser and is bound by RLS; its search_path is
/// pinned and ends in pg_temp.
pub async fn definer_violations(conn: &mut PgConnection) -> Vec<String> {
    let definers: Vec<(String, String, bool, bool, bool, bool)> = sqlx::query_as(
        "select p.proname::text, r.rolname::text, r.rolsuper, r.rolbypassrls, r.rolcanlogin, \
                coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%pg_temp'), false) \
         from pg_proc p join pg_roles r on r.oid = p.proowner \
         where p.pronamespace = 'public'::regnamespace and p.prosecdef order by 1",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("definer functions");
    let mut out = Vec::new();
    for (f, owner, superuser, bypass, login, pinned) in definers {
        let meant: Vec<&str> = DEFINER_OWNERS
            .iter()
            .filter(|(_, pattern)| like(&f, pattern))
            .map(|(role, _)| *role)
            .collect();
        if !meant.contains(&owner.as_str()) {
            out.push(format!(
                "function {f}: security definer owned by {owner}, not {meant:?}"
            ));
        }
        if superuser || bypass || login {
            out.push(format!(
                "function {f}: runs as {owner}, who can log in, is a superuser or bypasses RLS"
            ));
        }
        if !pinned {
            out.push(format!(
                "function {f}: security definer without a pinned search_path ending in pg_temp"
            ));
        }
    }
    out
}

/// SQL LIKE with `%` at the end only and `\_` for a literal underscore,
/// enough for [`DEFINER_OWNERS`].
fn like(name: &str, pattern: &str) -> bool {
    let literal = pattern.replace("\\_", "_");
    match literal.strip_suffix('%') {
        Some(prefix) => name.starts_with(prefix),
        None => name == literal,
    }
}
