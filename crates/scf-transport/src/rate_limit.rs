//! Client-side request limits per service and action, shared by all clones of a client.
//!
//! Each action has a token bucket filled at a little under its documented (or configured) rate, with half
//! a second of burst, so a client alone never trips the service's limit even when network delays bunch
//! its requests. Other clients may share the service's limit, so a `RequestLimitExceeded` answer lowers
//! the action's rate, which then recovers along a cubic curve, as smithy-rs's adaptive retry mode does
//! (CUBIC, RFC 8312): back quickly to just under the rate that was throttled, a while there, then probing
//! beyond it. Only the throttling of a request sent at the current rate lowers it again: answers to
//! requests sent before the last slowdown tell nothing new.
//!
//! Time is tokio's, so a paused test runtime moves every bucket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The share of the documented rate a client uses.
const HEADROOM: f64 = 0.9;
/// The slowest a throttled action gets, in requests per second.
const MIN_RATE: f64 = 0.5;
/// The share of the rate kept after a throttle (CUBIC's β).
const BETA: f64 = 0.7;
/// How fast the rate recovers (CUBIC's C), in requests per second per second cubed. A quarter of
/// smithy-rs's 0.4: a client 2x too fast for a limit of 10/s then sees 3% of its requests throttled rather
/// than 5% (the `a_client_faster_than_the_server_adapts_to_its_limit` test), and still returns to its
/// full rate within 4 s of a lone throttle at 18/s.
const SCALE: f64 = 0.1;

#[derive(Debug)]
struct Bucket {
    /// The configured rate with headroom: the most this action is sent at.
    full_rate: f64,
    rate: f64,
    capacity: f64,
    /// May go negative: each caller reserves its slot and waits for the debt to be repaid.
    tokens: f64,
    updated: Instant,
    /// The rate at the last throttle and when it happened, while the rate recovers from it.
    throttled: Option<(f64, Instant)>,
    /// Counts slowdowns, so a throttle can be matched with the rate its request was sent at.
    generation: u64,
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
            throttled: None,
            generation: 0,
        }
    }

    /// The recovering rate `since` the throttle that found the action at `last_max`.
    fn cubic(last_max: f64, since: Duration) -> f64 {
        let k = (last_max * (1.0 - BETA) / SCALE).cbrt();
        SCALE * (since.as_secs_f64() - k).powi(3) + last_max
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.updated = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        if let Some((last_max, at)) = self.throttled {
            let recovered = Self::cubic(last_max, now.saturating_duration_since(at));
            if recovered >= self.full_rate {
                self.rate = self.full_rate;
                self.throttled = None;
            } else {
                self.rate = recovered.max(MIN_RATE);
            }
        }
    }
}

/// A reserved slot: how long to wait before sending, and the rate it was reserved at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reservation {
    /// How long to wait before sending.
    pub(crate) wait: Duration,
    generation: u64,
}

/// Buckets by service, then by action: looking one up borrows the names instead of copying them.
type Buckets = HashMap<String, HashMap<String, Bucket>>;

/// Per-service, per-action token buckets.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiter {
    buckets: Arc<Mutex<Buckets>>,
    overrides: Arc<HashMap<String, u32>>,
    disabled: bool,
}

impl RateLimiter {
    /// Limits at the documented rates, with `overrides` (requests per second by action name, in any
    /// service) taking precedence.
    pub(crate) fn new(overrides: HashMap<String, u32>) -> Self {
        Self {
            buckets: Arc::default(),
            overrides: Arc::new(overrides),
            disabled: false,
        }
    }

    /// No client-side limiting.
    pub(crate) fn disabled() -> Self {
        Self {
            disabled: true,
            ..Self::default()
        }
    }

    fn limit(&self, action: &str, documented: Option<u32>) -> Option<u32> {
        if self.disabled {
            return None;
        }
        self.overrides
            .get(action)
            .copied()
            .or(documented)
            .filter(|limit| *limit > 0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // A poisoned lock only means another thread panicked mid-update; the buckets stay usable.
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `update` to the bucket of `action` of `service`, if it has one.
    fn with_bucket<T>(
        &self,
        service: &str,
        action: &str,
        update: impl FnOnce(&mut Bucket) -> T,
    ) -> Option<T> {
        self.lock()
            .get_mut(service)
            .and_then(|actions| actions.get_mut(action))
            .map(update)
    }

    /// Reserves a slot for `action` of `service`.
    pub(crate) fn reserve(
        &self,
        service: &str,
        action: &str,
        documented: Option<u32>,
    ) -> Reservation {
        let free = Reservation {
            wait: Duration::ZERO,
            generation: 0,
        };
        let Some(limit) = self.limit(action, documented) else {
            return free;
        };
        let now = Instant::now();
        let mut buckets = self.lock();
        if !buckets.contains_key(service) {
            buckets.insert(service.to_owned(), HashMap::new());
        }
        let Some(actions) = buckets.get_mut(service) else {
            return free;
        };
        if !actions.contains_key(action) {
            actions.insert(action.to_owned(), Bucket::new(limit, now));
        }
        let Some(bucket) = actions.get_mut(action) else {
            return free;
        };
        bucket.refill(now);
        bucket.tokens -= 1.0;
        let wait = if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / bucket.rate)
        };
        Reservation {
            wait,
            generation: bucket.generation,
        }
    }

    /// Called when the wait of `reservation` is over: `None` to send now, or, when the action was slowed
    /// down meanwhile, a new reservation at the lower rate to wait for instead. A caller that queued at
    /// the old rate would otherwise send at it, into the limit that just refused.
    pub(crate) fn recheck(
        &self,
        service: &str,
        action: &str,
        documented: Option<u32>,
        reservation: Reservation,
    ) -> Option<Reservation> {
        let slowed = self
            .with_bucket(service, action, |bucket| {
                bucket.generation != reservation.generation
            })
            .unwrap_or(false);
        if !slowed {
            return None;
        }
        self.release(service, action);
        Some(self.reserve(service, action, documented))
    }

    /// Gives back a reservation that will not be used.
    pub(crate) fn release(&self, service: &str, action: &str) {
        self.with_bucket(service, action, |bucket| {
            bucket.tokens = (bucket.tokens + 1.0).min(bucket.capacity);
        });
    }

    /// The service answered `RequestLimitExceeded` to a request sent with `reservation`: lower the rate,
    /// unless it was lowered since that request was sent.
    pub(crate) fn throttled(&self, service: &str, action: &str, reservation: Reservation) {
        let now = Instant::now();
        self.with_bucket(service, action, |bucket| {
            if bucket.generation != reservation.generation {
                return;
            }
            bucket.refill(now);
            let last_max = bucket.rate;
            bucket.rate = (last_max * BETA).max(MIN_RATE);
            bucket.throttled = Some((last_max, now));
            bucket.tokens = bucket.tokens.min(0.0);
            bucket.generation += 1;
        });
    }

    /// The current rate of `action` of `service` in requests per second, once it has been limited.
    pub(crate) fn current_rate(&self, service: &str, action: &str) -> Option<f64> {
        self.with_bucket(service, action, |bucket| {
            bucket.refill(Instant::now());
            bucket.rate
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits(limiter: &RateLimiter, n: usize) -> Vec<Duration> {
        (0..n)
            .map(|_| limiter.reserve("scf", "GetAsyncEventStatus", Some(20)).wait)
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn spaces_reservations_at_the_rate_after_the_burst() {
        let limiter = RateLimiter::new(HashMap::new());
        let waits = waits(&limiter, 30);
        assert!(
            waits[..10].iter().all(Duration::is_zero),
            "half a second of burst: {waits:?}"
        );
        // The 11th waits for one token at 18 per second, the 30th for twenty.
        assert_eq!(waits[10], Duration::from_secs_f64(1.0 / 18.0));
        assert_eq!(waits[29], Duration::from_secs_f64(20.0 / 18.0));
        assert_eq!(
            limiter.reserve("scf", "Unlimited", None).wait,
            Duration::ZERO
        );
        // Time refills the bucket: after the debt is repaid and a full burst more, no wait again.
        tokio::time::sleep(Duration::from_secs_f64(20.0 / 18.0 + 10.0 / 18.0)).await;
        let again: Vec<_> = (0..10)
            .map(|_| limiter.reserve("scf", "GetAsyncEventStatus", Some(20)).wait)
            .collect();
        assert!(again.iter().all(Duration::is_zero), "{again:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn services_keep_separate_buckets_for_one_action_name() {
        let limiter = RateLimiter::new(HashMap::new());
        for _ in 0..10 {
            assert!(
                limiter
                    .reserve("cvm", "DescribeInstances", Some(20))
                    .wait
                    .is_zero()
            );
        }
        assert!(
            !limiter
                .reserve("cvm", "DescribeInstances", Some(20))
                .wait
                .is_zero()
        );
        assert!(
            limiter
                .reserve("lighthouse", "DescribeInstances", Some(20))
                .wait
                .is_zero(),
            "another service's action of the same name has its own bucket"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_lowers_the_rate_once_per_slowdown_and_it_recovers_on_a_cubic() {
        let limiter = RateLimiter::new(HashMap::from([("Invoke".to_owned(), 100)]));
        let first = limiter.reserve("scf", "Invoke", Some(10));
        let second = limiter.reserve("scf", "Invoke", Some(10));
        let clone = limiter.clone();
        clone.throttled("scf", "Invoke", first);
        assert_eq!(
            limiter.current_rate("scf", "Invoke"),
            Some(63.0),
            "clones share it"
        );
        // The second request was sent at the old rate: its throttle tells nothing new.
        clone.throttled("scf", "Invoke", second);
        assert_eq!(limiter.current_rate("scf", "Invoke"), Some(63.0));
        // Sent at the lowered rate, a throttle lowers it again.
        let third = limiter.reserve("scf", "Invoke", Some(10));
        limiter.throttled("scf", "Invoke", third);
        let lowered = limiter.current_rate("scf", "Invoke").unwrap();
        assert!((lowered - 44.1).abs() < 1e-9, "{lowered}");

        // Back to just under 63 after K = cbrt(63 × (1 - β) / C) seconds, then beyond, then capped at 90.
        // Tokio's timer rounds sleeps up to the millisecond, hence the tolerances.
        let k = (63.0f64 * (1.0 - BETA) / SCALE).cbrt();
        tokio::time::sleep(Duration::from_secs_f64(k)).await;
        let plateau = limiter.current_rate("scf", "Invoke").unwrap();
        assert!((plateau - 63.0).abs() < 1e-3, "{plateau}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let probing = limiter.current_rate("scf", "Invoke").unwrap();
        assert!((probing - (63.0 + SCALE)).abs() < 1e-2, "{probing}");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(limiter.current_rate("scf", "Invoke"), Some(90.0));
    }

    #[test]
    fn disabled_limits_nothing() {
        assert!(
            RateLimiter::disabled()
                .reserve("scf", "Invoke", Some(1))
                .wait
                .is_zero()
        );
    }
}
