//! A process's memory as Linux reports it in `/proc/PID/status`: the
//! resident set now (`VmRSS`) and its peak (`VmHWM`), which writing `5` to
//! `/proc/PID/clear_refs` sets back to the resident set of the moment.

use anyhow::{Context, Result};

/// Resident set and its peak, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

impl Memory {
    /// Reads `VmRSS:` and `VmHWM:` (`<n> kB`) from the text of a status file.
    pub fn parse(status: &str) -> Option<Self> {
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<u64>()
                .ok()
        };
        Some(Self {
            rss_kib: field("VmRSS")?,
            hwm_kib: field("VmHWM")?,
        })
    }

    /// The memory of process `pid`, or of this process when `None`.
    pub fn of(pid: Option<u32>) -> Result<Self> {
        let path = status_path(pid, "status");
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        Self::parse(&text).with_context(|| format!("no VmRSS/VmHWM in {path}"))
    }

    /// Sets the process's peak back to its resident set now (Linux 4.0+;
    /// needs the right to write the process's `clear_refs`).
    pub fn reset_peak(pid: Option<u32>) -> Result<()> {
        let path = status_path(pid, "clear_refs");
        std::fs::write(&path, "5").with_context(|| format!("cannot write {path}"))
    }
}

fn status_path(pid: Option<u32>, file: &str) -> String {
    match pid {
        Some(pid) => format!("/proc/{pid}/{file}"),
        None => format!("/proc/self/{file}"),
    }
}

/// KiB as MiB with one decimal.
#[allow(clippy::cast_precision_loss)]
pub fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tsoi\nUmask:\t0022\nVmPeak:\t 1316640 kB\nVmSize:\t 1316636 kB\n\
VmLck:\t       0 kB\nVmHWM:\t   45312 kB\nVmRSS:\t   41020 kB\nRssAnon:\t   20480 kB\nThreads:\t4\n";

    #[test]
    fn rss_and_peak_are_read_in_kib() {
        assert_eq!(
            Memory::parse(STATUS),
            Some(Memory {
                rss_kib: 41_020,
                hwm_kib: 45_312
            })
        );
    }

    #[test]
    fn a_status_without_either_field_or_its_unit_gives_nothing() {
        assert_eq!(Memory::parse("Name:\tsoi\nVmRSS:\t 41020 kB\n"), None);
        assert_eq!(Memory::parse("VmHWM:\t 1 kB\nVmRSS:\t 41020\n"), None);
        // A field whose name only starts like one is not taken for it.
        assert_eq!(
            Memory::parse("VmRSSx:\t 5 kB\nVmHWM:\t 1 kB\nVmRSS:\t 2 kB\n"),
            Some(Memory {
                rss_kib: 2,
                hwm_kib: 1
            })
        );
    }

    #[test]
    fn this_process_has_a_resident_set_under_its_peak() {
        let m = Memory::of(None).expect("own status");
        assert!(m.rss_kib > 0 && m.hwm_kib >= m.rss_kib, "{m:?}");
    }

    #[test]
    fn kib_print_as_mib() {
        assert_eq!(mib(45_312), "44.2");
    }
}
