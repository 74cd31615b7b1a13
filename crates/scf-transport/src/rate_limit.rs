//! Client-side request limits per action, shared by all clones of a client.
//!
//! Each action has a token bucket filled at a little under its documented rate, with half a second of
//! burst, so a client alone never trips the service's limit even when network delays bunch its requests.
//! A `RequestLimitExceeded` answer (other clients share the limit) halves the rate; each calm second then
//! gives back a tenth of the full rate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The share of the documented rate a client uses.
const HEADROOM: f64 = 0.9;
/// The slowest a throttled action gets, in requests per second.
const MIN_RATE: f64 = 0.5;

#[derive(Debug)]
struct Bucket {
    full_rate: f64,
    rate: f64,
    capacity: f64,
    /// May go negative: each caller reserves its slot and waits for the debt to be repaid.
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(limit: u32, now: Instant) -> Self {
        let full_rate = f64::from(limit) * HEADROOM;
        let capacity = (f64::from(limit) / 2.0).max(1.0);
        Self {
            full_rate,
            rate: full_rate,
            capacity,
            tokens: capacity,
            updated: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.duration_since(self.updated).as_secs_f64();
        self.updated = now;
        self.rate = (self.rate + elapsed * self.full_rate / 10.0).min(self.full_rate);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
    }
}

/// Per-action token buckets.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
    overrides: Arc<HashMap<String, u32>>,
    disabled: bool,
}

impl RateLimiter {
    /// Limits at the documented rates, with `overrides` (requests per second by action) taking precedence.
    pub fn new(overrides: HashMap<String, u32>) -> Self {
        Self {
            buckets: Arc::default(),
            overrides: Arc::new(overrides),
            disabled: false,
        }
    }

    /// No client-side limiting.
    pub fn disabled() -> Self {
        Self {
            disabled: true,
            ..Self::default()
        }
    }

    fn limit(&self, action: &str, documented: Option<u32>) -> Option<u32> {
        if self.disabled {
            return None;
        }
        self.overrides.get(action).copied().or(documented)
    }

    /// Reserves a slot for `action` and returns how long to wait before sending.
    pub fn reserve(&self, action: &str, documented: Option<u32>) -> Duration {
        let Some(limit) = self.limit(action, documented).filter(|limit| *limit > 0) else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(action) {
            buckets.insert(action.to_owned(), Bucket::new(limit, now));
        }
        let Some(bucket) = buckets.get_mut(action) else {
            return Duration::ZERO;
        };
        bucket.refill(now);
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / bucket.rate)
        }
    }

    /// Gives back a reservation that will not be used.
    pub fn release(&self, action: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(action) {
            bucket.tokens = (bucket.tokens + 1.0).min(bucket.capacity);
        }
    }

    /// The service said `RequestLimitExceeded`: halve the rate of `action`.
    pub fn throttled(&self, action: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(action) {
            bucket.refill(Instant::now());
            bucket.rate = (bucket.rate / 2.0).max(MIN_RATE);
            bucket.tokens = bucket.tokens.min(0.0);
        }
    }

    /// The current rate of `action` in requests per second, if it has been limited yet.
    pub fn current_rate(&self, action: &str) -> Option<f64> {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.get(action).map(|bucket| bucket.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_reservations_at_the_rate_after_the_burst() {
        let limiter = RateLimiter::new(HashMap::new());
        let waits: Vec<Duration> = (0..30)
            .map(|_| limiter.reserve("GetAsyncEventStatus", Some(20)))
            .collect();
        assert!(
            waits[..10].iter().all(Duration::is_zero),
            "half a second of burst"
        );
        // The 30th request waits for 20 tokens at 18 per second.
        let last = waits[29].as_secs_f64();
        assert!((1.0..1.2).contains(&last), "{last}");
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(limiter.reserve("Unlimited", None), Duration::ZERO);
    }

    #[test]
    fn throttling_halves_the_rate_and_clones_share_it() {
        let limiter = RateLimiter::new(HashMap::new());
        let _ = limiter.reserve("Invoke", Some(100));
        let clone = limiter.clone();
        clone.throttled("Invoke");
        assert_eq!(limiter.current_rate("Invoke"), Some(45.0));
        assert!(RateLimiter::disabled().reserve("Invoke", Some(1)).is_zero());
        let overridden = RateLimiter::new(HashMap::from([("Invoke".to_owned(), 2)]));
        let waits: Vec<_> = (0..3)
            .map(|_| overridden.reserve("Invoke", Some(100)))
            .collect();
        assert!(waits[0].is_zero() && !waits[2].is_zero(), "{waits:?}");
    }
}
