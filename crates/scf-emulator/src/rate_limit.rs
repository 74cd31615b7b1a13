//! Per-action request limits, as the service documents them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::config::RateLimitConfig;

/// One token bucket per action: a full second's worth of burst, refilled at the documented rate.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enabled: bool,
    limits: HashMap<String, u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
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

    /// Takes a token for `action`; `false` means the request is over the limit.
    pub(crate) fn try_acquire(&self, action: &str) -> bool {
        let Some(&limit) = self.limits.get(action).filter(|_| self.enabled) else {
            return true;
        };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(action) {
            buckets.insert(
                action.to_owned(),
                Bucket {
                    tokens: f64::from(limit),
                    updated: now,
                },
            );
        }
        let Some(bucket) = buckets.get_mut(action) else {
            return true;
        };
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * f64::from(limit)).min(f64::from(limit));
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_second_of_burst_then_refuses() {
        let limiter = RateLimiter::new(&RateLimitConfig::default(), &[("GetAsyncEventStatus", 20)]);
        let allowed = (0..30)
            .filter(|_| limiter.try_acquire("GetAsyncEventStatus"))
            .count();
        assert_eq!(allowed, 20);
        assert!(limiter.try_acquire("UnlimitedAction"));
    }

    #[test]
    fn config_overrides_and_disables() {
        let mut config = RateLimitConfig::default();
        config.per_second.insert("Invoke".into(), 2);
        let limiter = RateLimiter::new(&config, &[("Invoke", 100)]);
        assert_eq!((0..10).filter(|_| limiter.try_acquire("Invoke")).count(), 2);
        config.enabled = false;
        let limiter = RateLimiter::new(&config, &[("Invoke", 100)]);
        assert!((0..1000).all(|_| limiter.try_acquire("Invoke")));
    }
}
