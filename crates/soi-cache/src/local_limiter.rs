//! In-process fixed-window limiter, used only while Redis is unavailable.
//! Rule: it must keep limiting (not open, not closed) and stay bounded: expired windows are
//! swept periodically, and at [`MAX_ENTRIES`] the window closest to expiry is evicted.
//! Limits are per process while it is in use, so N gateway replicas allow up to N times
//! the limit during an outage — an accepted degradation.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Time between sweeps of expired windows.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Hard cap on tracked windows, whatever the traffic.
const MAX_ENTRIES: usize = 100_000;

struct Window {
    count: u32,
    resets_at: Instant,
}

struct State {
    windows: HashMap<String, Window>,
    next_sweep: Instant,
}

/// Fixed windows keyed by the same (hashed) bucket name as in Redis.
pub(crate) struct LocalLimiter {
    state: Mutex<State>,
}

impl Default for LocalLimiter {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                windows: HashMap::new(),
                next_sweep: Instant::now() + SWEEP_EVERY,
            }),
        }
    }
}

impl LocalLimiter {
    /// Counts one hit; `Err(retry_after)` when the window already holds `limit` hits.
    pub(crate) fn check(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now >= state.next_sweep || state.windows.len() >= MAX_ENTRIES {
            state.windows.retain(|_, w| w.resets_at > now);
            state.next_sweep = now + SWEEP_EVERY;
        }
        if state.windows.len() >= MAX_ENTRIES && !state.windows.contains_key(key) {
            let soonest = state
                .windows
                .iter()
                .min_by_key(|(_, w)| w.resets_at)
                .map(|(k, _)| k.clone());
            if let Some(soonest) = soonest {
                state.windows.remove(&soonest);
            }
        }
        let entry = state.windows.entry(key.to_owned()).or_insert(Window {
            count: 0,
            resets_at: now + window,
        });
        if entry.resets_at <= now {
            *entry = Window {
                count: 0,
                resets_at: now + window,
            };
        }
        if entry.count >= limit {
            return Err(entry.resets_at - now);
        }
        entry.count += 1;
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .windows
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_a_window_and_resets_after_it() {
        let limiter = LocalLimiter::default();
        let window = Duration::from_secs(60);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("k", 3, window, t0).is_ok());
        }
        let retry = limiter.check("k", 3, window, t0 + Duration::from_secs(10));
        assert_eq!(retry, Err(Duration::from_secs(50)));
        assert!(limiter.check("other", 3, window, t0).is_ok());
        assert!(limiter.check("k", 3, window, t0 + window).is_ok());
    }

    #[test]
    fn expired_windows_are_swept() {
        let limiter = LocalLimiter::default();
        let t0 = Instant::now();
        for i in 0..100 {
            let _ = limiter.check(&format!("k{i}"), 1, Duration::from_secs(1), t0);
        }
        assert_eq!(limiter.len(), 100);
        let later = t0 + SWEEP_EVERY + Duration::from_secs(1);
        let _ = limiter.check("fresh", 1, Duration::from_secs(1), later);
        assert_eq!(limiter.len(), 1);
    }
}
