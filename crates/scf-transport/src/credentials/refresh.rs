//! Values that go stale, kept fresh: fetched again when due, one fetch shared by concurrent callers, and the
//! current value kept while a fetch fails, until it really expires.
//!
//! Wall time (expiry times are Unix seconds from the service) comes from the injected [`Clock`]; the quiet
//! period after a failure runs on tokio's clock, so a paused test runtime moves both.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{BoxFuture, CredentialsError};
use crate::time::{SharedClock, unix_seconds};

/// A fetched value and the Unix second it stops working, if it ever does.
pub(crate) struct Fetched<T> {
    pub(crate) value: T,
    pub(crate) expires_at: Option<u64>,
}

/// Fetches a new value: temporary keys from a service, or the parsed contents of a file.
pub(crate) trait Fetch: Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;

    fn fetch(&self) -> BoxFuture<'_, Result<Fetched<Self::Value>, CredentialsError>>;
}

/// When a held value is due to be fetched again.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RefreshPolicy {
    /// Once fewer than this many seconds remain before it expires: temporary keys.
    BeforeExpiry(Duration),
    /// Once this long has passed since it was fetched: files, so that rotated keys are picked up.
    Every(Duration),
}

/// After a failed refresh, stale-but-valid values are served this long before trying again, so a failing
/// source is not hammered by every call.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

pub(crate) struct Refreshing<F: Fetch> {
    fetch: F,
    policy: RefreshPolicy,
    clock: SharedClock,
    state: Mutex<State<F::Value>>,
}

struct State<T> {
    held: Option<Held<T>>,
    quiet_until: Option<Instant>,
}

struct Held<T> {
    value: T,
    /// Unix seconds; `None` for a value that never expires.
    expires_at: Option<u64>,
    /// Unix seconds from which the value is fetched again.
    refresh_at: u64,
}

impl<T> Held<T> {
    fn usable(&self, now: u64) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }
}

impl<F: Fetch> Refreshing<F> {
    pub(crate) fn new(fetch: F, policy: RefreshPolicy, clock: SharedClock) -> Self {
        Self {
            fetch,
            policy,
            clock,
            state: Mutex::new(State {
                held: None,
                quiet_until: None,
            }),
        }
    }

    fn now(&self) -> u64 {
        unix_seconds(self.clock.as_ref())
    }

    /// The held value, if it is not due for a refresh and no refresh holds the lock. Never does I/O.
    pub(crate) fn ready(&self) -> Option<F::Value> {
        let state = self.state.try_lock().ok()?;
        let held = state.held.as_ref()?;
        (self.now() < held.refresh_at).then(|| held.value.clone())
    }

    /// The held value, fetched again first when it is due.
    pub(crate) async fn get(&self) -> Result<F::Value, CredentialsError> {
        // Holding the lock across the fetch makes concurrent callers wait for one refresh, not start theirs.
        let mut state = self.state.lock().await;
        if let Some(held) = &state.held {
            let now = self.now();
            let quiet = state
                .quiet_until
                .is_some_and(|until| Instant::now() < until);
            if now < held.refresh_at || (quiet && held.usable(now)) {
                return Ok(held.value.clone());
            }
        }
        let fetched = self.fetch.fetch().await;
        // The fetch may have taken a while: judge what it returned, and what is held, by the time it ended.
        let now = self.now();
        match fetched {
            Ok(fetched) => {
                let refresh_at = match self.policy {
                    RefreshPolicy::BeforeExpiry(window) => {
                        fetched.expires_at.map_or(u64::MAX, |expires_at| {
                            expires_at.saturating_sub(window.as_secs())
                        })
                    }
                    RefreshPolicy::Every(interval) => now.saturating_add(interval.as_secs()),
                };
                let value = fetched.value.clone();
                state.held = Some(Held {
                    value: fetched.value,
                    expires_at: fetched.expires_at,
                    refresh_at,
                });
                state.quiet_until = None;
                Ok(value)
            }
            Err(error) => match &state.held {
                Some(held) if held.usable(now) => {
                    match held.expires_at {
                        Some(expires_at) => tracing::warn!(
                            error = %error,
                            expires_in_secs = expires_at - now,
                            "refreshing credentials failed; using the current ones until they expire"
                        ),
                        None => tracing::warn!(
                            error = %error,
                            "reading credentials again failed; using the ones read before"
                        ),
                    }
                    let value = held.value.clone();
                    state.quiet_until = Some(Instant::now() + RETRY_AFTER_FAILURE);
                    Ok(value)
                }
                _ => Err(error),
            },
        }
    }
}
