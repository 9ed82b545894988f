//! Readiness to be distributed by city with Citus, checked over the live
//! catalog: every table is a city table (sharded by `city_id`), a reference
//! table (copied to every node) or a local table (kept on the coordinator),
//! and nothing in the schema stops that split. `deploy/citus/distribute.sql`
//! is generated from the same catalog, so a table missing from it fails.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgConnection;

use crate::catalog::{self, NATIONAL_READABLE};
use crate::catalog_accounts::HOME_CITY_TABLES;

/// Tables without `city_id` copied to every node, with the reason: what a
/// city table's foreign key points at, or what is read before a city is known.
pub const REFERENCE_TABLES: &[(&str, &str)] = &[
    (
        "cities",
        "the city directory; every city table points at it",
    ),
    (
        "database_identity",
        "one row every gateway reads for its Redis prefix",
    ),
    (
        "skill_levels",
        "the national skill catalogue, joined to city rows",
    ),
    (
        "skill_elements",
        "the national skill catalogue; skill_assessments point at it",
    ),
    (
        "accounts",
        "keyed by home_city_id, null for national accounts (a distribution column cannot be null); found by email before a city is known",
    ),
    (
        "invitations",
        "keyed by home_city_id, null for national invitations; found by token before a city is known",
    ),
];

/// Tables without `city_id` kept on the coordinator, with the reason: no
/// city row points at them and only the coordinator's sessions use them.
pub const LOCAL_TABLES: &[(&str, &str)] = &[
    (
        "_sqlx_migrations",
        "the migration runner's bookkeeping, read by `soi migrate` alone",
    ),
    (
        "national_audit_log",
        "the national audit log; no city row points at it",
    ),
    (
        "national_outbox",
        "national mail, claimed by the worker with no city set",
    ),
    (
        "password_resets",
        "written per reset, read only by the sign-in functions",
    ),
    (
        "refresh_tokens",
        "written per sign-in and refresh, read only by the sign-in functions",
    ),
];

/// Gaps the schema has today, each with the change that closes it (a
/// migration, not made yet). The check fails on any other problem, and on
/// one of these once it is gone, so the list stays true.
pub const PENDING_CHANGES: &[(&str, &str)] = &[];

/// The city table every other is colocated with (first in `distribute.sql`).
pub const COLOCATION_ANCHOR: &str = "participants";

async fn rows<T>(conn: &mut PgConnection, sql: &'static str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(sql).fetch_all(conn).await.expect(sql)
}

fn listed(list: &[(&str, &str)], table: &str) -> bool {
    list.iter().any(|(t, _)| *t == table)
}

/// Every table of the public schema that is not a partition, by name.
async fn all_tables(conn: &mut PgConnection) -> Vec<String> {
    rows::<(String,)>(
        conn,
        "select c.relname::text from pg_class c \
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition \
         order by 1",
    )
    .await
    .into_iter()
    .map(|r| r.0)
    .collect()
}

/// Foreign keys between tables of the public schema (not partitions):
/// (table, constraint, referenced table, maps city_id to city_id).
async fn foreign_keys(conn: &mut PgConnection) -> Vec<(String, String, String, bool)> {
    rows(
        conn,
        "select c.relname::text, con.conname::text, d.relname::text, \
                exists (select 1 from unnest(con.conkey, con.confkey) as k (src, dst) \
                        join pg_attribute s on s.attrelid = con.conrelid and s.attnum = k.src \
                        join pg_attribute t on t.attrelid = con.confrelid and t.attnum = k.dst \
                        where s.attname = 'city_id' and t.attname = 'city_id') \
         from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_class d on d.oid = con.confrelid \
         where con.contype = 'f' and con.conparentid = 0 and c.relnamespace = 'public'::regnamespace \
           and not c.relispartition and not d.relispartition \
         order by 1, 2",
    )
    .await
}

/// Every way the live schema stops a distribution by city, but for the
/// [`PENDING_CHANGES`]; empty when none.
pub async fn violations(conn: &mut PgConnection) -> Vec<String> {
    let found = all_violations(conn).await;
    let mut out: Vec<String> = found
        .iter()
        .filter(|v| !PENDING_CHANGES.iter().any(|(p, _)| p == v))
        .cloned()
        .collect();
    for (pending, _) in PENDING_CHANGES {
        if !found.iter().any(|v| v == pending) {
            out.push(format!(
                "no longer the case, remove it from PENDING_CHANGES: {pending}"
            ));
        }
    }
    out
}

/// Every way the live schema stops a distribution by city.
pub async fn all_violations(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();
    let city: BTreeSet<String> = catalog::city_tables(conn).await.into_iter().collect();
    let all = all_tables(conn).await;

    // Each table in exactly one class, and the lists name live tables only.
    for t in &all {
        let classes = [
            city.contains(t),
            listed(REFERENCE_TABLES, t),
            listed(LOCAL_TABLES, t),
        ];
        match classes.iter().filter(|c| **c).count() {
            0 => out.push(format!(
                "{t}: neither a city table nor listed as a reference or local table"
            )),
            1 => {}
            _ => out.push(format!(
                "{t}: a city table listed as a reference or local table"
            )),
        }
    }
    for (t, _) in REFERENCE_TABLES.iter().chain(LOCAL_TABLES) {
        if !all.iter().any(|a| a == t) {
            out.push(format!("{t}: listed but not in the schema"));
        }
    }
    for t in NATIONAL_READABLE {
        if !listed(REFERENCE_TABLES, t) {
            out.push(format!(
                "{t}: a national table soi_app reads is not a reference table"
            ));
        }
    }
    for (t, _) in HOME_CITY_TABLES {
        if !listed(REFERENCE_TABLES, t) {
            out.push(format!(
                "{t}: a home-city table is not listed as a reference table"
            ));
        }
    }
    if !city.contains(COLOCATION_ANCHOR) {
        out.push(format!(
            "{COLOCATION_ANCHOR}: the colocation anchor is not a city table"
        ));
    }

    // Citus enforces a unique index (primary keys and unique constraints
    // included) or an exclusion constraint only if it has the distribution
    // column among its keys.
    let uniques: Vec<(String, String, bool)> = rows(
        conn,
        "select c.relname::text, i.relname::text, \
                exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id' \
                        and a.attnum = any (x.indkey::int2[])) \
         from pg_index x join pg_class c on c.oid = x.indrelid join pg_class i on i.oid = x.indexrelid \
         where x.indisunique and c.relnamespace = 'public'::regnamespace and not c.relispartition \
         union all \
         select c.relname::text, con.conname::text, \
                exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'city_id' \
                        and a.attnum = any (con.conkey)) \
         from pg_constraint con join pg_class c on c.oid = con.conrelid \
         where con.contype = 'x' and c.relnamespace = 'public'::regnamespace and not c.relispartition \
         order by 1, 2",
    )
    .await;
    for (t, index, has_city) in uniques {
        if city.contains(&t) && !has_city {
            out.push(format!(
                "{t}: unique index or constraint {index} does not include city_id"
            ));
        }
    }

    // Foreign keys: between city tables on city_id (so within one city and
    // one shard group); from a city table otherwise only to a reference
    // table; reference tables point only at reference tables; local tables
    // at reference or local tables.
    for (t, fk, target, maps) in foreign_keys(conn).await {
        let target_city = city.contains(&target);
        if city.contains(&t) {
            if target_city && !maps {
                out.push(format!(
                    "{t}: foreign key {fk} to {target} crosses cities (no city_id = city_id)"
                ));
            }
            if !target_city && !listed(REFERENCE_TABLES, &target) {
                out.push(format!(
                    "{t}: foreign key {fk} points at {target}, not a reference table"
                ));
            }
        } else if listed(REFERENCE_TABLES, &t) && !listed(REFERENCE_TABLES, &target) {
            out.push(format!(
                "{t}: reference table's foreign key {fk} points at {target}, not a reference table"
            ));
        } else if target_city {
            out.push(format!(
                "{t}: foreign key {fk} points at the city table {target}"
            ));
        }
    }
    out
}

/// Tables in the order `distribute.sql` must handle them: each after the
/// tables its foreign keys point at (deepest chain first), then by name.
async fn in_dependency_order(conn: &mut PgConnection, tables: &[String]) -> Vec<String> {
    let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, _, target, _) in foreign_keys(conn).await {
        if t != target && tables.contains(&t) && tables.contains(&target) {
            targets.entry(t).or_default().insert(target);
        }
    }
    fn depth(
        t: &str,
        targets: &BTreeMap<String, BTreeSet<String>>,
        seen: &mut BTreeMap<String, usize>,
    ) -> usize {
        if let Some(d) = seen.get(t) {
            return *d;
        }
        let d = targets
            .get(t)
            .map(|ts| ts.iter().map(|x| depth(x, targets, seen) + 1).max())
            .unwrap_or_default()
            .unwrap_or_default();
        seen.insert(t.to_owned(), d);
        d
    }
    let mut seen = BTreeMap::new();
    let mut ordered: Vec<(usize, String)> = tables
        .iter()
        .map(|t| (depth(t, &targets, &mut seen), t.clone()))
        .collect();
    ordered.sort();
    ordered.into_iter().map(|(_, t)| t).collect()
}

/// The text `deploy/citus/distribute.sql` must hold for the live schema.
pub async fn distribute_sql(conn: &mut PgConnection) -> String {
    let city = catalog::city_tables(conn).await;
    let names = |list: &[(&str, &str)]| -> Vec<String> {
        list.iter().map(|(t, _)| t.to_string()).collect()
    };
    let reference = in_dependency_order(conn, &names(REFERENCE_TABLES)).await;
    let local = in_dependency_order(conn, &names(LOCAL_TABLES)).await;
    let reason = |list: &[(&str, &str)], t: &str| {
        list.iter()
            .find(|(n, _)| *n == t)
            .map(|(_, r)| r.to_string())
            .unwrap_or_default()
    };
    let mut s = String::from(DISTRIBUTE_HEADER);
    s.push_str("\n-- Reference tables: a copy on every node (why each is one).\n");
    for t in &reference {
        s.push_str(&format!(
            "select create_reference_table('{t}');  -- {}\n",
            reason(REFERENCE_TABLES, t)
        ));
    }
    s.push_str("\n-- Local tables: kept on the coordinator (why each is one).\n");
    for t in &local {
        let why = reason(LOCAL_TABLES, t);
        if t == "_sqlx_migrations" {
            // Nothing points at it and it points at nothing: left as it is.
            s.push_str(&format!("-- {t} stays a plain table: {why}\n"));
        } else {
            s.push_str(&format!(
                "select citus_add_local_table_to_metadata('{t}');  -- {why}\n"
            ));
        }
    }
    s.push_str(
        "\n-- City tables: sharded by city_id, all in one colocation group, so a city's rows\n\
         -- of every table sit on the same node and its joins and foreign keys stay local.\n",
    );
    s.push_str(&format!(
        "select create_distributed_table('{COLOCATION_ANCHOR}', 'city_id', colocate_with => 'none');\n"
    ));
    let rest: Vec<String> = city
        .into_iter()
        .filter(|t| t != COLOCATION_ANCHOR)
        .collect();
    for t in in_dependency_order(conn, &rest).await {
        s.push_str(&format!(
            "select create_distributed_table('{t}', 'city_id', colocate_with => '{COLOCATION_ANCHOR}');\n"
        ));
    }
    s.push_str("\ncommit;\n");
    s
}

const DISTRIBUTE_HEADER: &str = "\
-- Distributes the SOI schema by city with Citus. Generated from the live catalog by the
-- test `db::citus::distribute_sql_covers_every_table` (tests/support/catalog_citus.rs
-- holds the reference and local lists with their reasons); regenerate with
--   SOI_WRITE_DISTRIBUTE_SQL=1 deploy/dev test -- -E 'test(distribute_sql)'
-- Run once, as the owner, on the Citus coordinator of a database `soi migrate` made, with the
-- workers added (citus_add_node) and before the platform is started. Read docs/scale-out.md
-- first: the per-city partitions, the rollup triggers and the tenant setting need the changes
-- it lists. Not run on this machine (no Citus here); the test checks only its coverage.
\\set ON_ERROR_STOP on
begin;
-- One shard group per city is not the aim: 32 shards spread the cities, and a big city is
-- moved to its own shard with isolate_tenant_to_new_shard (see docs/scale-out.md).
set local citus.shard_count = 32;
-- Foreign keys to reference tables made in this same transaction need one connection per node.
set local citus.multi_shard_modify_mode = 'sequential';
";
