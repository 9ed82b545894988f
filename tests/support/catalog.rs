//! The tenancy contract, checked over the live catalog. Every table with a
//! `city_id` column is a city table and must meet the contract; the checker
//! finds them itself, so a new table is covered without editing the tests.

use sqlx::PgConnection;

/// Tables that grow with activity and must be partitioned by city.
pub const GROWTH_TABLES: &[&str] = &[
    "enrollments",
    "attendance",
    "skill_assessments",
    "ticket_orders",
    "ticket_order_lines",
    "payments",
    "tickets",
    "ledger_entries",
    "audit_log",
    "outbox",
];

/// National tables soi_app may read (no city rows).
pub const NATIONAL_READABLE: &[&str] = &["cities", "skill_levels", "skill_elements"];

/// National tables soi_app may write: the national audit log (add only).
pub const NATIONAL_WRITABLE: &[&str] = &["national_audit_log"];

/// Tables of rows that belong to a city or to the nation (`home_city_id`,
/// null for national rows): a city's rows only in its own scope, national
/// ones in none; secrets in no column soi_app may read. Sign-in reaches them
/// before a city is known through `soi_auth_*` functions only.
pub const HOME_CITY_TABLES: &[(&str, &str)] =
    &[("accounts", "password_hash"), ("invitations", "token_hash")];

/// The role that owns the narrow path's functions.
pub const NARROW_PATH_OWNER: &str = "soi_auth";

async fn rows<T>(conn: &mut PgConnection, sql: &'static str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql).fetch_all(conn).await.expect(sql)
}

/// City tables (not partitions), by name.
pub async fn city_tables(conn: &mut PgConnection) -> Vec<String> {
    rows::<(String,)>(
        conn,
        "select c.relname::text from pg_class c \
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id' and not a.attisdropped) \
         order by 1",
    )
    .await
    .into_iter()
    .map(|r| r.0)
    .collect()
}

/// Every way the live schema breaks the contract; empty when it holds.
pub async fn violations(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();

    // City tables: NOT NULL city_id, RLS enabled and forced, the policy, and a
    // primary key that starts with city_id.
    let tables: Vec<(String, bool, bool, bool, bool, Option<String>)> = rows(
        conn,
        "select c.relname::text, a.attnotnull, c.relrowsecurity, c.relforcerowsecurity, \
                exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polcmd = '*' and p.polpermissive \
                        and pg_get_expr(p.polqual, p.polrelid) like '(city_id = ( SELECT%current_setting(''soi.city_id''::text, true)%' \
                        and pg_get_expr(p.polwithcheck, p.polrelid) like '(city_id = ( SELECT%current_setting(''soi.city_id''::text, true)%' \
                        and (0 = any (p.polroles) or (select oid from pg_roles where rolname = 'soi_app') = any (p.polroles))), \
                (select k.attname::text from pg_constraint con join pg_attribute k on k.attrelid = c.oid and k.attnum = con.conkey[1] \
                 where con.conrelid = c.oid and con.contype = 'p') \
         from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'city_id' and not a.attisdropped \
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition order by 1",
    )
    .await;
    for (t, not_null, rls, force, policy, pk_first) in tables {
        if !not_null {
            out.push(format!("{t}: city_id is nullable"));
        }
        if !rls || !force {
            out.push(format!("{t}: row-level security is not enabled and forced"));
        }
        if !policy {
            out.push(format!(
                "{t}: no city_isolation policy on soi.city_id for reads and writes"
            ));
        }
        if pk_first.as_deref() != Some("city_id") {
            out.push(format!("{t}: primary key does not start with city_id"));
        }
    }

    // Foreign keys: a city table's key to another city table maps city_id to
    // city_id; a national table never points at a city table.
    let fks: Vec<(String, String, bool, bool, bool)> = rows(
        conn,
        "select c.relname::text, con.conname::text, \
                exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id'), \
                exists (select 1 from pg_attribute a where a.attrelid = con.confrelid and a.attname = 'city_id'), \
                exists (select 1 from unnest(con.conkey, con.confkey) as k (src, dst) \
                        join pg_attribute s on s.attrelid = con.conrelid and s.attnum = k.src \
                        join pg_attribute d on d.attrelid = con.confrelid and d.attnum = k.dst \
                        where s.attname = 'city_id' and d.attname = 'city_id') \
         from pg_constraint con join pg_class c on c.oid = con.conrelid \
         where con.contype = 'f' and c.relnamespace = 'public'::regnamespace and not c.relispartition order by 1, 2",
    )
    .await;
    for (t, fk, src_city, dst_city, maps) in fks {
        if src_city && dst_city && !maps {
            out.push(format!("{t}: foreign key {fk} does not include city_id"));
        }
        if !src_city && dst_city {
            out.push(format!("{t}: national table points at a city table ({fk})"));
        }
    }

    // Partitioned tables: by LIST (city_id); partitions locked like their
    // parents and closed to soi_app; every city has its partitions.
    let parted: Vec<(String, String, String)> = rows(
        conn,
        "select c.relname::text, p.partstrat::text, coalesce(a.attname::text, '') \
         from pg_partitioned_table p join pg_class c on c.oid = p.partrelid \
         left join pg_attribute a on a.attrelid = c.oid and a.attnum = p.partattrs[0] \
         where c.relnamespace = 'public'::regnamespace order by 1",
    )
    .await;
    for (t, strat, key) in &parted {
        if strat != "l" || key != "city_id" {
            out.push(format!(
                "{t}: partitioned by something else than LIST (city_id)"
            ));
        }
    }
    for growth in GROWTH_TABLES {
        if !parted.iter().any(|(t, _, _)| t == growth) {
            out.push(format!(
                "{growth}: grows with activity but is not partitioned by city"
            ));
        }
    }
    let partitions: Vec<(String, bool, bool, bool, String)> = rows(
        conn,
        "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
                has_table_privilege('soi_app', c.oid, 'select, insert, update, delete, truncate, references, trigger'), \
                pg_get_expr(c.relpartbound, c.oid) \
         from pg_class c where c.relispartition and c.relkind in ('r', 'p') \
           and c.relnamespace = 'public'::regnamespace order by 1",
    )
    .await;
    for (p, rls, force, app_can, bound) in partitions {
        if !rls || !force {
            out.push(format!(
                "partition {p}: row-level security is not enabled and forced"
            ));
        }
        if app_can {
            out.push(format!("partition {p}: soi_app has a privilege on it"));
        }
        if !bound.starts_with("FOR VALUES IN ('") || bound.contains(',') {
            out.push(format!(
                "partition {p}: not the partition of exactly one city ({bound})"
            ));
        }
    }
    let missing: Vec<(String, String)> = rows(
        conn,
        "select ci.slug, c.relname::text from cities ci \
         cross join pg_partitioned_table p join pg_class c on c.oid = p.partrelid \
         where c.relnamespace = 'public'::regnamespace and not exists ( \
             select 1 from pg_inherits i join pg_class part on part.oid = i.inhrelid \
             where i.inhparent = c.oid and pg_get_expr(part.relpartbound, part.oid) = format('FOR VALUES IN (%L)', ci.id)) \
         order by 1, 2",
    )
    .await;
    for (slug, t) in missing {
        out.push(format!("{t}: city {slug} has no partition"));
    }

    // The runtime role: bound by RLS, owns nothing, JIT off.
    let role: Vec<(bool, bool, bool, i64)> = rows(
        conn,
        "select r.rolsuper, r.rolbypassrls, coalesce('jit=off' = any (r.rolconfig), false), \
                (select count(*) from pg_class where relowner = r.oid) + (select count(*) from pg_proc where proowner = r.oid) \
              + (select count(*) from pg_type where typowner = r.oid) + (select count(*) from pg_namespace where nspowner = r.oid) \
         from pg_roles r where r.rolname = 'soi_app'",
    )
    .await;
    match role.first() {
        None => out.push("role soi_app does not exist".into()),
        Some((superuser, bypass, jit_off, owned)) => {
            if *superuser || *bypass {
                out.push("soi_app is a superuser or has BYPASSRLS".into());
            }
            if !jit_off {
                out.push("soi_app does not run with jit = off".into());
            }
            if *owned > 0 {
                out.push(format!("soi_app owns {owned} objects"));
            }
        }
    }

    // What soi_app can reach besides city tables: security-invoker views,
    // read-only national tables, no security-definer functions.
    let views: Vec<(String, String, bool)> = rows(
        conn,
        "select c.relname::text, c.relkind::text, coalesce(c.reloptions @> array['security_invoker=true'], false) \
         from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm') \
           and has_table_privilege('soi_app', c.oid, 'select') order by 1",
    )
    .await;
    for (v, kind, invoker) in views {
        if kind == "m" || !invoker {
            out.push(format!(
                "view {v}: readable by soi_app but not security_invoker"
            ));
        }
    }
    let national: Vec<(String, bool, bool)> = rows(
        conn,
        "select c.relname::text, has_table_privilege('soi_app', c.oid, 'select'), \
                has_table_privilege('soi_app', c.oid, 'insert, update, delete, truncate') \
         from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition \
           and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id') order by 1",
    )
    .await;
    for (t, read, write) in national {
        if HOME_CITY_TABLES.iter().any(|(h, _)| *h == t) {
            continue;
        }
        if write && !NATIONAL_WRITABLE.contains(&t.as_str()) {
            out.push(format!("national table {t}: soi_app may write it"));
        }
        if read && !NATIONAL_READABLE.contains(&t.as_str()) {
            out.push(format!("national table {t}: soi_app may read it"));
        }
    }
    out.extend(home_city_violations(conn).await);
    out.extend(narrow_path_violations(conn).await);
    out
}

/// Home-city tables: RLS enabled and forced, soi_app's rows limited to the
/// scope's city in reads and writes, and no secret column readable.
async fn home_city_violations(conn: &mut PgConnection) -> Vec<String> {
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

/// Security-definer functions soi_app may call: only the narrow path's,
/// owned by a role that cannot sign in, is bound by RLS and that soi_app is
/// not a member of, each with a pinned search_path.
async fn narrow_path_violations(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();
    let definers: Vec<(String, String, bool)> = rows(
        conn,
        "select p.proname::text, pg_get_userbyid(p.proowner)::text, \
                coalesce(exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%'), false) \
         from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prosecdef \
           and has_function_privilege('soi_app', p.oid, 'execute') order by 1",
    )
    .await;
    for (f, owner, pinned) in definers {
        if owner != NARROW_PATH_OWNER || !f.starts_with("soi_auth_") {
            out.push(format!(
                "function {f}: security definer callable by soi_app (owner {owner})"
            ));
        }
        if !pinned {
            out.push(format!(
                "function {f}: security definer without a pinned search_path"
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
