//! Temporary credentials kept fresh: refreshed before they expire, one refresh shared by concurrent callers,
//! and the current ones kept while a refresh fails, until they really expire.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use super::{BoxFuture, Credentials, CredentialsError};

/// Credentials and the Unix second they stop working.
#[derive(Debug, Clone)]
pub struct Expiring {
    /// The temporary credentials.
    pub credentials: Credentials,
    /// When they expire, in Unix seconds.
    pub expires_at: u64,
}

/// Fetches a new set of temporary credentials.
pub(crate) trait Fetch: Send + Sync + 'static {
    fn fetch(&self) -> BoxFuture<'_, Result<Expiring, CredentialsError>>;
}

/// After a failed refresh, stale-but-valid credentials are served this long before trying again, so a
/// failing source is not hammered by every call.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

pub(crate) struct Refreshing<F> {
    fetch: F,
    /// Refresh once fewer than this many seconds remain.
    refresh_before: u64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Expiring>,
    quiet_until: Option<Instant>,
}

impl<F: Fetch> Refreshing<F> {
    pub(crate) fn new(fetch: F, refresh_before: Duration) -> Self {
        Self {
            fetch,
            refresh_before: refresh_before.as_secs(),
            state: Mutex::new(State::default()),
        }
    }

    /// The current credentials, if they are outside the refresh window and no refresh holds the lock.
    pub(crate) fn ready(&self) -> Option<Credentials> {
        let state = self.state.try_lock().ok()?;
        let current = state.current.as_ref()?;
        self.fresh(current, unix_now())
            .then(|| current.credentials.clone())
    }

    /// Whether `current` is still outside the refresh window at `now` (Unix seconds).
    fn fresh(&self, current: &Expiring, now: u64) -> bool {
        now.saturating_add(self.refresh_before) < current.expires_at
    }

    pub(crate) async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        // Holding the lock across the fetch makes concurrent callers wait for one refresh, not start theirs.
        let mut state = self.state.lock().await;
        let now = unix_now();
        if let Some(current) = &state.current {
            let fresh = self.fresh(current, now);
            let quiet = state
                .quiet_until
                .is_some_and(|until| Instant::now() < until);
            if fresh || (quiet && now < current.expires_at) {
                return Ok(current.credentials.clone());
            }
        }
        match self.fetch.fetch().await {
            Ok(fetched) => {
                let credentials = fetched.credentials.clone();
                state.current = Some(fetched);
                state.quiet_until = None;
                Ok(credentials)
            }
            Err(error) => match &state.current {
                Some(current) if now < current.expires_at => {
                    tracing::warn!(
                        error = %error,
                        expires_in_secs = current.expires_at - now,
                        "refreshing credentials failed; using the current ones until they expire"
                    );
                    let credentials = current.credentials.clone();
                    state.quiet_until = Some(Instant::now() + RETRY_AFTER_FAILURE);
                    Ok(credentials)
                }
                _ => Err(error),
            },
        }
    }
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
