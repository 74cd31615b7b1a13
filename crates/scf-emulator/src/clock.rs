//! The emulator's notion of now, injectable so tests move time instead of sleeping.
//!
//! Wall time (signature expiry, the `Date` header, event durations, retention and the rate limiter) comes
//! from a [`Clock`]. Every wait (injected latency, the idle timeout, the shutdown drain) runs on tokio's
//! clock, which [`TokioClock`] follows, so a paused runtime moves both at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    fn now_millis(&self) -> u64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as u64)
    }
}

/// A clock that moves only when told to. Clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use scf_emulator::{Clock, ManualClock};
///
/// let clock = ManualClock::new(1_700_000_000_000);
/// clock.advance(Duration::from_secs(72 * 3600));
/// assert_eq!(clock.now_millis(), 1_700_259_200_000);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock stopped at `millis` since the epoch.
    pub fn new(millis: u64) -> Self {
        Self {
            millis: Arc::new(AtomicU64::new(millis)),
        }
    }

    /// A clock stopped at the machine's current time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_millis())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set_millis(&self, millis: u64) {
        self.millis.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> u64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// Wall time that advances with tokio's clock: on a paused runtime (`start_paused = true`) it moves only
/// when tokio's time does, together with every sleep and timeout of the test and of the emulator.
///
/// Create it inside the runtime whose clock it should follow.
///
/// ```
/// use std::time::Duration;
/// use scf_emulator::{Clock, TokioClock};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let clock = TokioClock::starting_at(1_700_000_000_000);
/// tokio::time::sleep(Duration::from_secs(72 * 3600)).await;
/// assert_eq!(clock.now_millis(), 1_700_259_200_000);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start_millis: u64,
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading the machine's time now, then advancing with tokio's clock.
    pub fn starting_now() -> Self {
        Self::starting_at(SystemClock.now_millis())
    }

    /// A clock reading `millis` since the epoch now, then advancing with tokio's clock.
    pub fn starting_at(millis: u64) -> Self {
        Self {
            start_millis: millis,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now_millis(&self) -> u64 {
        let elapsed = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.start_millis.saturating_add(elapsed)
    }
}
