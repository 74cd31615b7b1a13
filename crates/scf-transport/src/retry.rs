//! When to send a request again, and how long to wait first.
//!
//! # Why a budget
//!
//! Backoff spaces one caller's retries, but it does not bound the load retries add. If a service fails
//! every request, each caller still sends `max_attempts` requests per call, multiplying the load on a
//! service that is already failing: a retry storm. The budget is a token bucket shared by all clones of
//! a client. A retry spends [`RetryBudget::RETRY_COST`] tokens (a timeout spends twice that, since it also
//! held a connection for the whole timeout); a call that succeeds at once earns one token back, up to the
//! capacity. While the service is healthy the bucket stays full and retries are free. When it fails
//! persistently the bucket drains after `capacity / cost` retries, and from then on retries are limited to
//! about one per `cost` successful calls: at most a few percent of extra load, however many callers there are.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first one included. 1 disables retries.
    pub max_attempts: u32,
    /// The backoff before the first retry, doubled for each further one.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// Tokens in a full retry budget.
    pub budget_capacity: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            budget_capacity: 500,
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): "full jitter", a uniform draw from
    /// zero to the exponential bound, so callers that failed together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let bound = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        bound.mul_f64(fastrand::f64())
    }
}

/// The shared token bucket that caps retries across every call of a client.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    tokens: Arc<AtomicU32>,
    capacity: u32,
}

impl RetryBudget {
    /// Tokens one retry costs.
    pub const RETRY_COST: u32 = 5;
    /// Tokens a retry after a timeout costs.
    pub const TIMEOUT_RETRY_COST: u32 = 10;

    /// A full budget of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        Self {
            tokens: Arc::new(AtomicU32::new(capacity)),
            capacity,
        }
    }

    /// Takes `cost` tokens if there are that many; `false` means do not retry.
    pub fn try_spend(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .is_ok()
    }

    /// Returns a token after a call that succeeded at its first attempt.
    pub fn reward(&self) {
        let capacity = self.capacity;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                (tokens < capacity).then_some(tokens + 1)
            });
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_under_the_cap_with_jitter() {
        let policy = RetryPolicy::default();
        for retry in 1..10 {
            let bound =
                (Duration::from_millis(100) * (1 << (retry - 1))).min(Duration::from_secs(5));
            for _ in 0..100 {
                assert!(policy.backoff(retry) <= bound);
            }
        }
        let draws: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(draws.len() > 40, "jitter spreads the delays");
    }

    #[test]
    fn budget_drains_under_failure_and_refills_with_success() {
        let budget = RetryBudget::new(20);
        let retries = (0..100)
            .filter(|_| budget.try_spend(RetryBudget::RETRY_COST))
            .count();
        assert_eq!(retries, 4);
        for _ in 0..4 {
            budget.reward();
        }
        assert!(!budget.try_spend(RetryBudget::RETRY_COST));
        budget.reward();
        assert!(budget.try_spend(RetryBudget::RETRY_COST));
        for _ in 0..100 {
            budget.reward();
        }
        assert_eq!(budget.available(), 20);
        let clone = budget.clone();
        assert!(clone.try_spend(20));
        assert_eq!(budget.available(), 0, "clones share one budget");
    }
}
