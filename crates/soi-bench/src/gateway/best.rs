//! The best single statement of each shape: one hand-written statement that
//! returns the values the GraphQL answer carries, run by pgbench as the
//! gateway's role under the same row-level security, the city set for the
//! whole connection (`PGOPTIONS`) instead of per transaction.
//!
//! The answer is flat rows: for (a) the page's 20 rows of id, first and last
//! name and email; for (b) one row per group member (group name, first and
//! last name, attendance rate; a group without members is one row with
//! nulls), in the order of the GraphQL answer. Nesting members under their
//! group is the gateway's work of shaping JSON, which `json_agg` would move
//! into the database; flat rows ask the database for exactly the values and
//! nothing else, the least it can do for this answer.
//!
//! Before pgbench runs a statement it is checked here: as that role and
//! city, row-level security hides the other cities' rows (a count without a
//! city filter, and the statement itself under another city's settings,
//! which must return nothing); its rows equal the gateway's answer (counts
//! and a checksum of the values, taken over the rows sorted: the statement
//! orders as the gateway does, and a later change of the order in which the
//! gateway lists members is not a change of the answer's values); and
//! `EXPLAIN ANALYZE`, with a custom and a generic plan, reads no partition
//! but the city's.

use super::*;
use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{Connection, PgConnection, Row as _};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The best statement of a shape; `$1` is the city, `$2` the season.
pub(super) fn sql(shape: &Shape) -> &'static str {
    match shape.key {
        "a" => {
            "select p.id, p.first_name, p.last_name, p.email \
             from participants p \
             where p.city_id = $1 and p.consent_withdrawn_at is null and p.erased_at is null \
               and exists (select 1 from enrollments e \
                           where e.city_id = $1 and e.participant_id = p.id and e.season_id = $2) \
             order by p.id limit 20"
        }
        _ => {
            "select g.name, p.first_name, p.last_name, \
                    coalesce(r.attended::float8 / nullif(r.marked, 0), 0) as attendance_rate \
             from groups g \
             left join group_members m on m.city_id = $1 and m.group_id = g.id \
             left join participants p on p.city_id = $1 and p.id = m.participant_id \
             left join lateral ( \
                 select count(*) filter (where a.mark in ('present', 'late')) as attended, \
                        count(*) as marked \
                 from attendance a \
                 where a.city_id = $1 and a.participant_id = m.participant_id) r on true \
             where g.city_id = $1 and g.season_id = $2 \
             order by g.name, g.id, m.participant_id"
        }
    }
}

/// The statement as a pgbench command: `:city` and `:season` are sent as
/// parameters under `-M prepared`.
pub(super) fn pgbench_script(shape: &Shape) -> String {
    let flat = sql(shape).split_whitespace().collect::<Vec<_>>().join(" ");
    let with_city = replace_param(&flat, 1, ":city");
    format!("{};\n", replace_param(&with_city, 2, ":season"))
}

/// The settings of a chapter admin's tenant transaction (see
/// `soi_db::conn::pool::tenant_begin`), as startup options of a connection:
/// the runtime role, and the city, role and account the policies read. The
/// coach and participant stay unset, as the admin's transaction sets them
/// empty (the policies read both through `nullif(…, '')`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tenant {
    pub(super) city: Uuid,
    pub(super) account: Uuid,
}

impl Tenant {
    pub(super) fn options(&self) -> Vec<(&'static str, String)> {
        let mut o: Vec<(&'static str, String)> = APP_OPTIONS
            .iter()
            .map(|&(k, v)| (k, v.to_owned()))
            .collect();
        o.push(("soi.city_id", self.city.to_string()));
        o.push(("soi.role", soi_core::Role::ChapterAdmin.code().to_owned()));
        o.push(("soi.account_id", self.account.to_string()));
        o
    }

    async fn connect(&self, url: &str) -> Result<PgConnection> {
        let opts: PgConnectOptions = url.parse()?;
        Ok(PgConnection::connect_with(&opts.options(self.options())).await?)
    }
}

/// What the checks found, printed with the statement listing.
pub(super) struct Checked {
    pub(super) rows: usize,
    pub(super) checksum: u64,
    pub(super) rls: String,
    pub(super) partitions: String,
}

/// FNV-1a over the lines, sorted, each ended by a newline.
pub(super) fn checksum(lines: &[String]) -> u64 {
    let sorted: BTreeSet<(&String, usize)> =
        lines.iter().enumerate().map(|(i, l)| (l, i)).collect();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (line, _) in sorted {
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The values of the gateway's answer, one line per row of the best statement.
pub(super) fn answer_lines(shape: &Shape, body: &Value) -> Result<Vec<String>> {
    let data = &body["data"];
    let s = |v: &Value| v.as_str().unwrap_or("<null>").to_owned();
    let mut out = Vec::new();
    if shape.key == "a" {
        for e in data["participants"]["edges"]
            .as_array()
            .context("no edges in the answer")?
        {
            let n = &e["node"];
            out.push(line(&[
                s(&n["id"]),
                s(&n["firstName"]),
                s(&n["lastName"]),
                s(&n["email"]),
            ]));
        }
        return Ok(out);
    }
    for g in data["groups"]
        .as_array()
        .context("no groups in the answer")?
    {
        let members = g["members"].as_array().context("a group without members")?;
        if members.is_empty() {
            out.push(line(&[s(&g["name"])]));
        }
        for m in members {
            let rate = m["attendanceRate"]
                .as_f64()
                .context("a member without attendanceRate")?;
            out.push(line(&[
                s(&g["name"]),
                s(&m["firstName"]),
                s(&m["lastName"]),
                format!("{rate:?}"),
            ]));
        }
    }
    Ok(out)
}

fn line(cells: &[String]) -> String {
    cells.join("\t")
}

/// The statement's rows, as lines like [`answer_lines`].
fn row_line(shape: &Shape, row: &PgRow) -> Result<String> {
    if shape.key == "a" {
        let id: Uuid = row.try_get(0)?;
        let email: Option<String> = row.try_get(3)?;
        return Ok(line(&[
            id.to_string(),
            row.try_get(1)?,
            row.try_get(2)?,
            email.unwrap_or_else(|| "<null>".into()),
        ]));
    }
    let name: String = row.try_get(0)?;
    let first: Option<String> = row.try_get(1)?;
    let Some(first) = first else {
        return Ok(line(&[name]));
    };
    let last: String = row.try_get(2)?;
    let rate: f64 = row.try_get(3)?;
    Ok(line(&[name, first, last, format!("{rate:?}")]))
}

async fn run_lines(
    conn: &mut PgConnection,
    shape: &Shape,
    city: Uuid,
    season: Uuid,
) -> Result<Vec<String>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql(shape)))
        .bind(city)
        .bind(season)
        .fetch_all(&mut *conn)
        .await
        .with_context(|| format!("the best statement of {}", shape.label))?;
    rows.iter().map(|r| row_line(shape, r)).collect()
}

/// Checks the best statement of `shape` against the gateway's `answer`
/// (see the module comment); fails if anything differs.
pub(super) async fn check(
    owner: &mut PgConnection,
    url: &str,
    shape: &Shape,
    tenant: Tenant,
    other_city: Option<Uuid>,
    season: Uuid,
    answer: &Value,
) -> Result<Checked> {
    let mut conn = tenant.connect(url).await?;
    let outcome = async {
        // The role and the city are the tenant's for the whole connection.
        let (user, city): (String, String) =
            sqlx::query_as("select current_user::text, current_setting('soi.city_id')")
                .fetch_one(&mut conn)
                .await?;
        ensure!(
            user == "soi_app" && city == tenant.city.to_string(),
            "the bench connection acts as {user} in city {city}, not as soi_app in {}",
            tenant.city
        );
        // Row-level security filters: a count without a city filter sees the
        // city's participants only.
        let seen: i64 = sqlx::query_scalar("select count(*) from participants")
            .fetch_one(&mut conn)
            .await?;
        let (own, all): (i64, i64) = sqlx::query_as(
            "select count(*) filter (where city_id = $1), count(*) from participants",
        )
        .bind(tenant.city)
        .fetch_one(&mut *owner)
        .await?;
        ensure!(
            seen == own && (other_city.is_none() || seen < all),
            "row-level security does not filter: soi_app sees {seen} participants, the city has {own}, all cities {all}"
        );
        let mut rls = format!("soi_app sees {seen} of {all} participants");

        // The answer: the same rows as the gateway's.
        let got = run_lines(&mut conn, shape, tenant.city, season).await?;
        let want = answer_lines(shape, answer)?;
        let (a, b) = (checksum(&got), checksum(&want));
        if got.len() != want.len() || a != b {
            let mut g = got.clone();
            let mut w = want.clone();
            g.sort();
            w.sort();
            let first = g
                .iter()
                .zip(&w)
                .find(|(x, y)| x != y)
                .map(|(x, y)| format!("statement {x:?} vs gateway {y:?}"))
                .unwrap_or_default();
            bail!(
                "{}: the best statement's answer differs from the gateway's: {} rows (checksum {a:016x}) vs {} (checksum {b:016x}); first difference: {first}",
                shape.label,
                got.len(),
                want.len()
            );
        }

        // Under another city's settings the statement, though it names this
        // city, finds nothing.
        if let Some(other) = other_city {
            let elsewhere = Tenant {
                city: other,
                ..tenant
            };
            let mut c = elsewhere.connect(url).await?;
            let leaked = run_lines(&mut c, shape, tenant.city, season).await;
            c.close().await.ok();
            let leaked = leaked?.len();
            ensure!(
                leaked == 0,
                "{}: under another city's settings the best statement returned {leaked} rows",
                shape.label
            );
            let _ = write!(rls, "; under another city's settings the statement returns 0 rows");
        }

        let partitions = partitions_read(&mut conn, owner, shape, tenant.city, season).await?;
        anyhow::Ok(Checked {
            rows: got.len(),
            checksum: a,
            rls,
            partitions,
        })
    }
    .await;
    conn.close().await.ok();
    outcome
}

/// Relations named in a plan (`"Relation Name"`), recursively.
pub(super) fn relations(plan: &Value, out: &mut BTreeSet<String>) {
    match plan {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "Relation Name"
                    && let Some(name) = v.as_str()
                {
                    out.insert(name.to_owned());
                }
                relations(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| relations(v, out)),
        _ => {}
    }
}

/// `EXPLAIN (ANALYZE, FORMAT JSON)` of the prepared statement, with a custom
/// and with a generic plan: every partition it reads is one of `city`'s.
async fn partitions_read(
    conn: &mut PgConnection,
    owner: &mut PgConnection,
    shape: &Shape,
    city: Uuid,
    season: Uuid,
) -> Result<String> {
    conn.execute(sqlx::AssertSqlSafe(format!(
        "prepare soi_bench_best as {}",
        sql(shape)
    )))
    .await?;
    let mut read = BTreeSet::new();
    for mode in ["force_custom_plan", "force_generic_plan"] {
        conn.execute(sqlx::AssertSqlSafe(format!("set plan_cache_mode = {mode}")))
            .await?;
        // Typed UUIDs, formatted by the bench: nothing else reaches the text.
        let plan: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "explain (analyze, format json) execute soi_bench_best('{city}', '{season}')"
        )))
        .fetch_one(&mut *conn)
        .await?;
        let mut names = BTreeSet::new();
        relations(&plan, &mut names);
        let rows: Vec<(String, bool, String, String, i64)> = sqlx::query_as(
            "select c.relname::text, c.relispartition, \
                    coalesce(pg_get_expr(c.relpartbound, c.oid), ''), \
                    coalesce(p.relname::text, ''), \
                    (select count(*) from pg_inherits s where s.inhparent = p.oid) \
             from pg_class c \
             left join pg_inherits i on i.inhrelid = c.oid \
             left join pg_class p on p.oid = i.inhparent \
             where c.relnamespace = 'public'::regnamespace and c.relname = any($1)",
        )
        .bind(names.iter().cloned().collect::<Vec<_>>())
        .fetch_all(&mut *owner)
        .await?;
        for (name, is_partition, bound, parent, of) in rows {
            if !is_partition {
                continue;
            }
            ensure!(
                bound.contains(&city.to_string()),
                "{}: the {mode} plan reads {name} ({bound}), a partition of {parent} that is not the city's",
                shape.label
            );
            read.insert(format!("{parent}: 1 of {of} partitions"));
        }
    }
    conn.execute("deallocate soi_bench_best; reset plan_cache_mode")
        .await?;
    Ok(if read.is_empty() {
        "no partitioned table read".to_owned()
    } else {
        format!(
            "EXPLAIN ANALYZE, custom and generic plan: only the city's partition of each partitioned table ({})",
            read.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pgbench_script_names_the_city_and_season_variables() {
        let script = pgbench_script(&SHAPES[1]);
        assert!(script.contains("a.city_id = :city and a.participant_id"));
        assert!(script.contains("g.season_id = :season order by"));
        assert!(!script.contains('$'));
    }

    #[test]
    fn answer_lines_flatten_groups_and_keep_memberless_ones() {
        let body = json!({ "data": { "groups": [
            { "name": "G1", "members": [
                { "firstName": "A", "lastName": "B", "attendanceRate": 0.75 },
                { "firstName": "C", "lastName": "D", "attendanceRate": 0.0 } ] },
            { "name": "G2", "members": [] } ] } });
        let lines = answer_lines(&SHAPES[1], &body).expect("lines");
        assert_eq!(lines, vec!["G1\tA\tB\t0.75", "G1\tC\tD\t0.0", "G2"]);
    }

    #[test]
    fn the_checksum_ignores_order_but_not_values_or_repeats() {
        let l = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(checksum(&l(&["x", "y"])), checksum(&l(&["y", "x"])));
        assert_ne!(checksum(&l(&["x", "y"])), checksum(&l(&["x", "z"])));
        assert_ne!(checksum(&l(&["x", "x"])), checksum(&l(&["x"])));
        // Line ends count: "ab" is not "a" then "b".
        assert_ne!(checksum(&l(&["ab"])), checksum(&l(&["a", "b"])));
    }

    #[test]
    fn relations_are_found_at_any_depth() {
        let plan = json!([{ "Plan": { "Node Type": "Limit", "Plans": [
            { "Node Type": "Seq Scan", "Relation Name": "participants" },
            { "Node Type": "Append", "Plans": [
                { "Relation Name": "enrollments_p_1" } ] } ] } }]);
        let mut names = BTreeSet::new();
        relations(&plan, &mut names);
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            vec!["enrollments_p_1", "participants"]
        );
    }
}
