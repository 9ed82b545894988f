//! wrk and pgbench as bounded child processes, and their output read.

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

// --- wrk and pgbench -------------------------------------------------------

pub(super) fn lua_long_string(s: &str) -> String {
    let mut eq = String::from("=");
    while s.contains(&format!("]{eq}]")) {
        eq.push('=');
    }
    format!("[{eq}[{s}]{eq}]")
}

pub(super) fn wrk_script(query: &str, season: &str, token: &str) -> String {
    let body = json!({ "query": query, "variables": { "s": season } }).to_string();
    format!(
        "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n",
        lua_long_string(&body)
    )
}

pub(super) struct WrkFigures {
    pub(super) rps: f64,
    /// Requests completed in the run.
    pub(super) requests: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    pub(super) problems: Vec<String>,
}

/// Runs a bounded child process; it is killed if it outlives `limit`.
pub(super) async fn run_bounded(
    cmd: &mut tokio::process::Command,
    limit: Duration,
) -> Result<String> {
    cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
    let out = tokio::time::timeout(limit, cmd.output())
        .await
        .context("timed out")??;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "failed ({}): {stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
}

pub(super) async fn wrk(
    script: &Path,
    target: &str,
    connections: u32,
    secs: u64,
) -> Result<WrkFigures> {
    let threads = connections.clamp(1, 2);
    let out = run_bounded(
        tokio::process::Command::new("wrk")
            .arg(format!("-t{threads}"))
            .arg(format!("-c{connections}"))
            .arg(format!("-d{secs}s"))
            .arg("--timeout")
            .arg("10s")
            .arg("--latency")
            .arg("-s")
            .arg(script)
            .arg(target),
        Duration::from_secs(secs + 30),
    )
    .await
    .context("wrk")?;
    parse_wrk(&out).with_context(|| format!("cannot read wrk's output:\n{out}"))
}

pub(super) fn wrk_ms(v: &str) -> Option<f64> {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().ok().map(|n| n * factor)
}

pub(super) fn parse_wrk(out: &str) -> Option<WrkFigures> {
    let mut rps = None;
    let mut requests = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut problems = Vec::new();
    for line in out.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(v)) => rps = v.parse().ok(),
            (Some(n), Some("requests")) => requests = n.parse().ok(),
            (Some("50%"), Some(v)) => p50 = wrk_ms(v),
            (Some("99%"), Some(v)) => p99 = wrk_ms(v),
            (Some("Non-2xx"), _) | (Some("Socket"), _) => problems.push(line.to_owned()),
            _ => {}
        }
    }
    Some(WrkFigures {
        rps: rps?,
        requests: requests?,
        p50_ms: p50?,
        p99_ms: p99?,
        problems,
    })
}

/// The gateway's role for every pgbench connection, JIT off as in the
/// gateway's runtime role.
pub(super) const APP_OPTIONS: [(&str, &str); 2] = [("role", "soi_app"), ("jit", "off")];

/// Startup options as `PGOPTIONS` text (`-c name=value …`; the values are
/// names, codes and UUIDs, without spaces).
pub(super) fn pgoptions<V: AsRef<str>>(options: &[(&str, V)]) -> String {
    options
        .iter()
        .map(|(k, v)| format!("-c {k}={}", v.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) struct PgbenchFigures {
    pub(super) tps: f64,
    /// Transactions completed in the run.
    pub(super) transactions: f64,
    pub(super) latency_ms: f64,
}

pub(super) async fn pgbench(
    url: &str,
    options: &str,
    script: &Path,
    defines: &[(String, String)],
    clients: u32,
    secs: u64,
) -> Result<PgbenchFigures> {
    let mut cmd = tokio::process::Command::new("pgbench");
    cmd.env("PGOPTIONS", options)
        .arg("-n")
        .arg("-M")
        .arg("prepared")
        .arg("-c")
        .arg(clients.to_string())
        .arg("-j")
        .arg(clients.clamp(1, 2).to_string())
        .arg("-T")
        .arg(secs.to_string())
        .arg("-f")
        .arg(script);
    for (name, value) in defines {
        cmd.arg("-D").arg(format!("{name}={value}"));
    }
    cmd.arg(url);
    let out = run_bounded(&mut cmd, Duration::from_secs(secs + 60))
        .await
        .context("pgbench")?;
    let mut tps = None;
    let mut transactions = None;
    let mut latency = None;
    let mut failed = None;
    for line in out.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("number of transactions actually processed: ") {
            transactions = v.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("tps = ") {
            tps = v.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("latency average = ") {
            latency = v.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("number of failed transactions: ") {
            failed = v.split_whitespace().next().map(str::to_owned);
        }
    }
    if failed.as_deref().is_some_and(|f| f != "0") || out.contains("aborted") {
        bail!("pgbench reported failures:\n{out}");
    }
    match (tps, latency, transactions) {
        (Some(tps), Some(latency_ms), Some(transactions)) => Ok(PgbenchFigures {
            tps,
            transactions,
            latency_ms,
        }),
        _ => bail!("cannot read pgbench's output:\n{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::statements::*;

    #[test]
    fn parameters_are_read_with_nulls_and_quotes() {
        let p = parse_parameters("$1 = 'a', $2 = NULL, $3 = 'it''s, fine', $4 = '21'");
        assert_eq!(
            p,
            vec![
                Some("a".into()),
                None,
                Some("it's, fine".into()),
                Some("21".into())
            ]
        );
    }

    #[test]
    fn log_entries_become_transactions() {
        let log = "2026-11-25 10:00:00.001 UTC [11] postgres@d LOG:  statement: begin; select set_config('soi.city_id', 'x', true)\n\
2026-11-25 10:00:00.002 UTC [12] postgres@other LOG:  statement: select 1\n\
2026-11-25 10:00:00.003 UTC [11] postgres@d LOG:  execute sqlx_s_1: select a from t where c = $1 and d = any($2) limit $10\n\
2026-11-25 10:00:00.003 UTC [11] postgres@d DETAIL:  parameters: $1 = 'x', $2 = '{a,b}'\n\
2026-11-25 10:00:00.004 UTC [11] postgres@d LOG:  statement: COMMIT\n";
        let c = Capture::parse(log, "d");
        assert_eq!(c.txs.len(), 1);
        assert_eq!(c.statements(), 4);
        assert_eq!(c.round_trips(), 3);
        let (script, defines) = c.pgbench_script();
        assert!(script.starts_with("begin;\nselect set_config"));
        assert!(script.contains("c = :t0s1p1 and d = any(:t0s1p2) limit $10;"));
        assert_eq!(defines.len(), 2);
    }

    #[test]
    fn startup_options_become_pgoptions() {
        assert_eq!(pgoptions(&APP_OPTIONS), "-c role=soi_app -c jit=off");
        assert_eq!(
            pgoptions(&[
                ("soi.city_id", "c".to_owned()),
                ("soi.role", "r".to_owned())
            ]),
            "-c soi.city_id=c -c soi.role=r"
        );
    }

    #[test]
    fn wrk_output_is_read() {
        let out = "  Latency Distribution\n     50%    4.80ms\n     99%  120.00us\n  64005 requests in 10.00s, 3.40MB read\n Requests/sec:   6400.50\n";
        let f = parse_wrk(out).expect("figures");
        assert!((f.rps - 6400.5).abs() < 1e-9);
        assert!((f.requests - 64005.0).abs() < 1e-9);
        assert!((f.p50_ms - 4.8).abs() < 1e-9);
        assert!((f.p99_ms - 0.12).abs() < 1e-9);
    }
}
