//! Shared view of whether Redis works. Rule: once an operation fails for a connection reason,
//! every request skips Redis for `retry_after_down`; then exactly one caller (or the watchdog)
//! probes, so a dead Redis costs each request nothing and costs the process one probe a period.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Up/down state with the time of the next allowed probe, lock-free.
pub(crate) struct Health {
    base: Instant,
    up: AtomicBool,
    /// Milliseconds since `base` before which nobody may try Redis while it is down.
    next_probe_ms: AtomicU64,
    retry_after_down: Duration,
}

impl Health {
    /// Starts down: the watchdog makes the first connection, requests never wait for it.
    pub(crate) fn new(retry_after_down: Duration) -> Self {
        let health = Self {
            base: Instant::now(),
            up: AtomicBool::new(false),
            next_probe_ms: AtomicU64::new(0),
            retry_after_down,
        };
        health
            .next_probe_ms
            .store(health.later_ms(), Ordering::Relaxed);
        health
    }

    pub(crate) fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Whether this request may use Redis now. While down, the first caller after the
    /// period claims the probe (by moving the deadline) and every other caller is refused.
    pub(crate) fn permit(&self) -> bool {
        if self.is_up() {
            return true;
        }
        let now = self.now_ms();
        let next = self.next_probe_ms.load(Ordering::Acquire);
        now >= next
            && self
                .next_probe_ms
                .compare_exchange(next, self.later_ms(), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    pub(crate) fn mark_up(&self) {
        if !self.up.swap(true, Ordering::AcqRel) {
            tracing::info!("redis is available");
        }
    }

    pub(crate) fn mark_down(&self) {
        self.next_probe_ms.store(self.later_ms(), Ordering::Release);
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(
                retry_after_ms = self.retry_after_down.as_millis() as u64,
                "redis marked down, using fallbacks"
            );
        }
    }

    fn now_ms(&self) -> u64 {
        self.base.elapsed().as_millis() as u64
    }

    fn later_ms(&self) -> u64 {
        self.now_ms() + self.retry_after_down.as_millis() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_refuses_until_period_then_allows_one_probe() {
        let health = Health::new(Duration::from_millis(30));
        assert!(!health.permit());
        std::thread::sleep(Duration::from_millis(40));
        assert!(health.permit());
        assert!(!health.permit(), "only one caller may probe");
        health.mark_up();
        assert!(health.permit() && health.permit());
        health.mark_down();
        assert!(!health.is_up() && !health.permit());
    }
}
