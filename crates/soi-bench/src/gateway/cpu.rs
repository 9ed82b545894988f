//! Where a request's CPU goes during a load: the `soi serve` process, and
//! PostgreSQL's processes (its backends and helpers, plus those that ended
//! during the load, which the postmaster counts as its reaped children),
//! read from /proc before and after the load. The rest of the machine's busy
//! time (wrk or pgbench, Redis, kernel work no process was charged for) is
//! what is left.
//!
//! Only when PostgreSQL runs on this machine, in this process namespace: the
//! postmaster is found as the parent of the bench's own backend.

use anyhow::{Context, Result, bail};
use sqlx::PgConnection;

/// Clock ticks per second of /proc's times: USER_HZ, 100 on Linux whatever
/// the kernel's own tick rate (it is part of the kernel's ABI).
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Copy)]
pub(super) struct Sample {
    gateway: u64,
    postgres: u64,
    busy: u64,
}

/// CPU milliseconds per request (or per pgbench transaction).
#[derive(Debug, Clone, Copy)]
pub(super) struct PerRequest {
    pub(super) gateway_ms: f64,
    pub(super) postgres_ms: f64,
    pub(super) rest_ms: f64,
}

/// The postmaster's pid, if PostgreSQL's processes are visible here.
pub(super) async fn postmaster(conn: &mut PgConnection) -> Option<u32> {
    let backend: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(conn)
        .await
        .ok()?;
    let (comm, fields) = stat(u32::try_from(backend).ok()?).ok()?;
    let parent: u32 = fields.get(1)?.parse().ok()?;
    let (parent_comm, _) = stat(parent).ok()?;
    (comm == "postgres" && parent_comm == "postgres").then_some(parent)
}

impl Sample {
    /// `gateway`: the `soi serve` process, if one runs.
    pub(super) fn take(gateway: Option<u32>, postmaster: u32) -> Result<Self> {
        let gateway = match gateway {
            Some(pid) => ticks(&stat(pid)?.1, 11..13)?,
            None => 0,
        };
        Ok(Self {
            gateway,
            postgres: postgres(postmaster)?,
            busy: busy()?,
        })
    }

    pub(super) fn per_request(&self, after: &Self, requests: f64) -> PerRequest {
        let ms = |ticks: u64| ticks as f64 * 1000.0 / TICKS_PER_SECOND / requests.max(1.0);
        let gateway = after.gateway.saturating_sub(self.gateway);
        let postgres = after.postgres.saturating_sub(self.postgres);
        let busy = after.busy.saturating_sub(self.busy);
        PerRequest {
            gateway_ms: ms(gateway),
            postgres_ms: ms(postgres),
            rest_ms: ms(busy.saturating_sub(gateway + postgres)),
        }
    }
}

/// PostgreSQL's ticks: the postmaster's own, its children's that ended
/// (reaped), and its live children's. A child reaped while the live ones are
/// read would count in neither, so the read is made again until the reaped
/// children's time stayed the same across it; a pause between tries lets
/// the backends of a run that just ended finish exiting.
fn postgres(postmaster: u32) -> Result<u64> {
    for _ in 0..50 {
        let reaped = ticks(&stat(postmaster)?.1, 13..15)?;
        let mut live = 0;
        for entry in std::fs::read_dir("/proc")?.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok((_, f)) = stat(pid) else { continue };
            if f.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(postmaster) {
                live += ticks(&f, 11..13)?;
            }
        }
        let pm = stat(postmaster)?.1;
        if ticks(&pm, 13..15)? == reaped {
            return Ok(ticks(&pm, 11..13)? + reaped + live);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    bail!("PostgreSQL's processes kept ending while they were read")
}

/// `/proc/PID/stat`: the command name, and the fields after it (the first
/// is the state, field 3 in proc(5)).
fn stat(pid: u32) -> Result<(String, Vec<String>)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let open = text.find('(').context("stat without a name")?;
    let close = text.rfind(')').context("stat without a name")?;
    let fields = text[close + 1..]
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Ok((text[open + 1..close].to_owned(), fields))
}

/// The sum of fields `range` (0 is proc(5)'s field 3): 11..13 is utime and
/// stime, 13..15 the reaped children's cutime and cstime.
fn ticks(fields: &[String], range: std::ops::Range<usize>) -> Result<u64> {
    let Some(slice) = fields.get(range) else {
        bail!("short /proc stat line")
    };
    slice
        .iter()
        .map(|v| v.parse::<u64>().context("/proc stat field"))
        .sum()
}

/// The machine's busy ticks: all but idle and iowait, from /proc/stat.
fn busy() -> Result<u64> {
    let text = std::fs::read_to_string("/proc/stat")?;
    let cpu = text.lines().next().context("empty /proc/stat")?;
    let v: Vec<u64> = cpu
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal
    Ok(v.iter().take(8).sum::<u64>()
        - v.get(3).copied().unwrap_or(0)
        - v.get(4).copied().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_stat_line_with_its_times() {
        let (comm, fields) = stat(std::process::id()).expect("own stat");
        assert!(!comm.is_empty());
        assert!(ticks(&fields, 11..15).is_ok());
        assert!(busy().expect("/proc/stat") > 0);
    }

    #[test]
    fn per_request_splits_the_busy_time() {
        let a = Sample {
            gateway: 100,
            postgres: 200,
            busy: 400,
        };
        let b = Sample {
            gateway: 150,
            postgres: 300,
            busy: 600,
        };
        let p = a.per_request(&b, 1000.0);
        assert!((p.gateway_ms - 0.5).abs() < 1e-9);
        assert!((p.postgres_ms - 1.0).abs() < 1e-9);
        assert!((p.rest_ms - 0.5).abs() < 1e-9);
    }
}
