//! Per-action request limits, as the service documents them, measured on the emulator's clock.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::RateLimitConfig;

/// A token, in the thousandths a bucket counts in: at `limit` per second a bucket gains `limit` of them per
/// millisecond, so every refill over whole milliseconds is exact.
const TOKEN: u64 = 1_000;

/// One token bucket per action: a full second's worth of burst, refilled at the documented rate.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enabled: bool,
    limits: HashMap<String, u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// Thousandths of a token.
    level: u64,
    /// The clock reading of the last refill, in milliseconds.
    updated_ms: u64,
}

impl RateLimiter {
    pub(crate) fn new(config: &RateLimitConfig, documented: &[(&str, u32)]) -> Self {
        let mut limits: HashMap<String, u32> = documented
            .iter()
            .map(|(action, limit)| ((*action).to_owned(), *limit))
            .collect();
        limits.extend(config.per_second.iter().map(|(a, l)| (a.clone(), *l)));
        Self {
            enabled: config.enabled,
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `action` at `now_ms` on the emulator's clock; `false` means the request is over
    /// the limit.
    pub(crate) fn try_acquire(&self, action: &str, now_ms: u64) -> bool {
        if !self.enabled {
            return true;
        }
        let Some(&limit) = self.limits.get(action) else {
            return true;
        };
        let capacity = u64::from(limit).saturating_mul(TOKEN);
        // The buckets stay consistent whatever panicked while holding the lock, so a poisoned lock is usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Looked up by `&str` first, so only an action's first request allocates its key.
        if !buckets.contains_key(action) {
            buckets.insert(
                action.to_owned(),
                Bucket {
                    level: capacity,
                    updated_ms: now_ms,
                },
            );
        }
        let Some(bucket) = buckets.get_mut(action) else {
            return true;
        };
        // A clock set back refills nothing; the bucket then counts from the new reading.
        let elapsed_ms = now_ms.saturating_sub(bucket.updated_ms);
        bucket.level = bucket
            .level
            .saturating_add(elapsed_ms.saturating_mul(u64::from(limit)))
            .min(capacity);
        bucket.updated_ms = now_ms;
        if bucket.level >= TOKEN {
            bucket.level -= TOKEN;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn allows_a_second_of_burst_then_refuses() {
        let limiter = RateLimiter::new(&RateLimitConfig::default(), &[("GetAsyncEventStatus", 20)]);
        let allowed = (0..30)
            .filter(|_| limiter.try_acquire("GetAsyncEventStatus", NOW))
            .count();
        assert_eq!(allowed, 20);
        assert!(limiter.try_acquire("UnlimitedAction", NOW));
    }

    #[test]
    fn refills_one_token_each_tick_of_the_rate_exactly() {
        let limiter = RateLimiter::new(&RateLimitConfig::default(), &[("Invoke", 20)]);
        assert!((0..20).all(|_| limiter.try_acquire("Invoke", NOW)));
        assert!(!limiter.try_acquire("Invoke", NOW));
        assert!(!limiter.try_acquire("Invoke", NOW + 49));
        assert!(limiter.try_acquire("Invoke", NOW + 50));
        assert!(!limiter.try_acquire("Invoke", NOW + 50));
        // A long pause refills one second's burst, no more.
        let later = NOW + 3_600_000;
        assert_eq!(
            (0..30)
                .filter(|_| limiter.try_acquire("Invoke", later))
                .count(),
            20
        );
    }

    #[test]
    fn a_clock_set_back_refills_nothing() {
        let limiter = RateLimiter::new(&RateLimitConfig::default(), &[("Invoke", 2)]);
        assert!(limiter.try_acquire("Invoke", NOW));
        assert!(limiter.try_acquire("Invoke", NOW));
        assert!(!limiter.try_acquire("Invoke", NOW - 10_000));
        assert!(!limiter.try_acquire("Invoke", NOW - 9_501));
        assert!(limiter.try_acquire("Invoke", NOW - 9_500));
    }

    #[test]
    fn config_overrides_and_disables() {
        let mut config = RateLimitConfig::default();
        config.per_second.insert("Invoke".into(), 2);
        let limiter = RateLimiter::new(&config, &[("Invoke", 100)]);
        assert_eq!(
            (0..10)
                .filter(|_| limiter.try_acquire("Invoke", NOW))
                .count(),
            2
        );
        config.enabled = false;
        let limiter = RateLimiter::new(&config, &[("Invoke", 100)]);
        assert!((0..1000).all(|_| limiter.try_acquire("Invoke", NOW)));
    }
}
