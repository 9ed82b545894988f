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
pub const NATIONAL_READABLE: &[&str] = &[
    "cities",
    "skill_levels",
    "skill_elements",
    "database_identity",
];

/// National tables soi_app may write: the national audit log (add only).
pub const NATIONAL_WRITABLE: &[&str] = &["national_audit_log"];

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
        if super::catalog_accounts::HOME_CITY_TABLES
            .iter()
            .any(|(h, _)| *h == t)
            || super::catalog_accounts::NO_CITY_TABLES.contains(&t.as_str())
        {
            continue;
        }
        if write && !NATIONAL_WRITABLE.contains(&t.as_str()) {
            out.push(format!("national table {t}: soi_app may write it"));
        }
        if read && !NATIONAL_READABLE.contains(&t.as_str()) {
            out.push(format!("national table {t}: soi_app may read it"));
        }
    }
    out.extend(super::catalog_accounts::home_city_violations(conn).await);
    out.extend(super::catalog_accounts::narrow_path_violations(conn).await);
    out.extend(super::catalog_accounts::no_city_violations(conn).await);
    out.extend(super::catalog_roles::public_scope_violations(conn).await);
    out.extend(super::catalog_roles::definer_violations(conn).await);
    out
}
