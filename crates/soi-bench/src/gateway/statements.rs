//! Statements read back from the server log: what one request ran.

use super::*;
use anyhow::{Context, Result, bail};
use sqlx::PgConnection;
use std::collections::BTreeMap;

// --- statements from the server log ----------------------------------------

/// The server log, read through the owner's (superuser) connection.
pub(super) struct LogFile {
    pub(super) path: String,
}

impl LogFile {
    pub(super) async fn locate(conn: &mut PgConnection, given: Option<&str>) -> Result<Self> {
        let path = match given {
            Some(p) => p.to_owned(),
            None => {
                let (current, data_dir, version): (Option<String>, String, String) =
                    sqlx::query_as(
                        "select pg_current_logfile(), current_setting('data_directory'), \
                         current_setting('server_version_num')",
                    )
                    .fetch_one(&mut *conn)
                    .await?;
                match current {
                    Some(p) if p.starts_with('/') => p,
                    Some(p) => format!("{data_dir}/{p}"),
                    None => format!(
                        "/var/log/postgresql/postgresql-{}-main.log",
                        version.get(..2).unwrap_or("15")
                    ),
                }
            }
        };
        let prefix: String = sqlx::query_scalar("select current_setting('log_line_prefix')")
            .fetch_one(&mut *conn)
            .await?;
        if !prefix.contains("%d") || !prefix.contains("%p") {
            bail!(
                "log_line_prefix '{prefix}' lacks %p or %d: the statements of this database cannot be told apart"
            );
        }
        let log = Self { path };
        log.size(conn)
            .await
            .with_context(|| format!("cannot read the server log {} (give --pg-log)", log.path))?;
        Ok(log)
    }

    pub(super) async fn size(&self, conn: &mut PgConnection) -> Result<i64> {
        Ok(sqlx::query_scalar("select size from pg_stat_file($1)")
            .bind(&self.path)
            .fetch_one(&mut *conn)
            .await?)
    }

    pub(super) async fn read(&self, conn: &mut PgConnection, from: i64, to: i64) -> Result<String> {
        if to <= from {
            bail!("nothing was logged for the request (is log_statement settable here?)");
        }
        Ok(sqlx::query_scalar("select pg_read_file($1, $2, $3)")
            .bind(&self.path)
            .bind(from)
            .bind(to - from)
            .fetch_one(&mut *conn)
            .await?)
    }
}

/// A statement as the server logged it.
#[derive(Debug, Clone)]
pub(super) enum Stmt {
    /// Simple query protocol: may hold several statements (`begin; select …`).
    Simple(String),
    /// Extended protocol: one statement and its parameters (`None` = NULL).
    Execute(String, Vec<Option<String>>),
}

impl Stmt {
    pub(super) fn count(&self) -> usize {
        match self {
            Stmt::Simple(sql) => split_statements(sql).len(),
            Stmt::Execute(..) => 1,
        }
    }

    pub(super) fn summary(&self) -> String {
        let (kind, sql) = match self {
            Stmt::Simple(sql) => ("simple", sql),
            Stmt::Execute(sql, _) => ("prepared", sql),
        };
        let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = flat.chars().take(110).collect();
        let more = if flat.chars().count() > 110 {
            " …"
        } else {
            ""
        };
        format!("[{kind}] {short}{more}")
    }
}

#[derive(Debug, Default)]
pub(super) struct Tx {
    pub(super) stmts: Vec<Stmt>,
}

/// The transactions of one request, in the order they began.
#[derive(Debug, Default)]
pub(super) struct Capture {
    pub(super) txs: Vec<Tx>,
}

impl Capture {
    /// Reads `LOG: statement:` / `LOG: execute …:` entries (and their
    /// `DETAIL: parameters:`) of one database; groups them by backend into
    /// transactions (each starts with `begin`).
    pub(super) fn parse(text: &str, db: &str) -> Self {
        // (pid, message) of each entry, continuation lines joined.
        let mut entries: Vec<(String, String)> = Vec::new();
        let mut ours = false;
        let marker = format!("@{db} ");
        for line in text.lines() {
            let starts_entry = line.len() > 4
                && line.as_bytes().iter().take(4).all(u8::is_ascii_digit)
                && line.as_bytes().get(4) == Some(&b'-');
            if starts_entry {
                ours = false;
                let Some(at) = line.find(&marker) else {
                    continue;
                };
                let pid = line
                    .split_once(" [")
                    .and_then(|(_, r)| r.split_once(']'))
                    .map(|(p, _)| p.to_owned())
                    .unwrap_or_default();
                ours = true;
                entries.push((pid, line[at + marker.len()..].to_owned()));
            } else if ours && let Some(last) = entries.last_mut() {
                last.1.push('\n');
                last.1.push_str(line);
            }
        }
        let mut by_pid: BTreeMap<String, usize> = BTreeMap::new();
        let mut out = Capture::default();
        for (pid, msg) in entries {
            if let Some(sql) = msg.strip_prefix("LOG:  statement: ") {
                let sql = sql.trim().to_owned();
                let begins = sql.to_ascii_lowercase().starts_with("begin");
                if begins || !by_pid.contains_key(&pid) {
                    out.txs.push(Tx::default());
                    by_pid.insert(pid.clone(), out.txs.len() - 1);
                }
                if let Some(tx) = by_pid.get(&pid).and_then(|&i| out.txs.get_mut(i)) {
                    tx.stmts.push(Stmt::Simple(sql));
                }
            } else if let Some(rest) = msg.strip_prefix("LOG:  execute ") {
                let sql = rest
                    .split_once(": ")
                    .map_or(rest, |(_, s)| s)
                    .trim()
                    .to_owned();
                if !by_pid.contains_key(&pid) {
                    out.txs.push(Tx::default());
                    by_pid.insert(pid.clone(), out.txs.len() - 1);
                }
                if let Some(tx) = by_pid.get(&pid).and_then(|&i| out.txs.get_mut(i)) {
                    tx.stmts.push(Stmt::Execute(sql, Vec::new()));
                }
            } else if let Some(params) = msg.strip_prefix("DETAIL:  parameters: ")
                && let Some(tx) = by_pid.get(&pid).and_then(|&i| out.txs.get_mut(i))
                && let Some(Stmt::Execute(_, values)) = tx.stmts.last_mut()
            {
                *values = parse_parameters(params.trim());
            }
        }
        out
    }

    pub(super) fn statements(&self) -> usize {
        self.txs
            .iter()
            .flat_map(|t| &t.stmts)
            .map(Stmt::count)
            .sum()
    }

    pub(super) fn round_trips(&self) -> usize {
        self.txs.iter().map(|t| t.stmts.len()).sum()
    }

    /// The transactions one after another as a pgbench script; parameters
    /// become pgbench variables (sent as parameters with `-M prepared`),
    /// returned as `-D name=value` pairs. pgbench cannot prepare a compound
    /// query, so `begin; select set_config(…)` becomes two commands.
    pub(super) fn pgbench_script(&self) -> (String, Vec<(String, String)>) {
        let mut script = String::new();
        let mut defines = Vec::new();
        for (t, tx) in self.txs.iter().enumerate() {
            for (s, st) in tx.stmts.iter().enumerate() {
                match st {
                    Stmt::Simple(sql) => {
                        for part in split_statements(sql) {
                            let _ = writeln!(script, "{part};");
                        }
                    }
                    Stmt::Execute(sql, values) => {
                        let mut sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
                        for (i, v) in values.iter().enumerate() {
                            let n = i + 1;
                            let with = match v {
                                None => "NULL".to_owned(),
                                Some(value) => {
                                    let name = format!("t{t}s{s}p{n}");
                                    defines.push((name.clone(), value.clone()));
                                    format!(":{name}")
                                }
                            };
                            sql = replace_param(&sql, n, &with);
                        }
                        let _ = writeln!(script, "{sql};");
                    }
                }
            }
        }
        (script, defines)
    }
}

/// Replaces `$n` (not `$n0`, `$n1`, …) by `with`.
pub(super) fn replace_param(sql: &str, n: usize, with: &str) -> String {
    let needle = format!("${n}");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(&needle);
        } else {
            out.push_str(with);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Splits a simple query at semicolons outside quotes.
pub(super) fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => {
                out.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `$1 = '…', $2 = NULL, …` (quotes doubled inside values).
pub(super) fn parse_parameters(text: &str) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    let mut rest = text;
    while let Some(after) = rest.strip_prefix('$') {
        let Some((_, value)) = after.split_once(" = ") else {
            break;
        };
        if let Some(v) = value.strip_prefix("NULL") {
            out.push(None);
            rest = v;
        } else if let Some(v) = value.strip_prefix('\'') {
            let mut s = String::new();
            let mut chars = v.char_indices().peekable();
            let mut end = v.len();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().map(|&(_, n)| n) == Some('\'') {
                        s.push('\'');
                        chars.next();
                    } else {
                        end = i + 1;
                        break;
                    }
                } else {
                    s.push(c);
                }
            }
            out.push(Some(s));
            rest = v.get(end..).unwrap_or("");
        } else {
            break;
        }
        rest = rest.trim_start_matches(", ");
    }
    out
}
