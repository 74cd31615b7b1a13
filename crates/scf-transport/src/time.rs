//! Time, injected: tokio's clock for waits and intervals, a [`Clock`] for wall time.
//!
//! Every wait, timeout, backoff and rate-limit interval of this crate runs on `tokio::time`, so a test on
//! a paused runtime (`#[tokio::test(start_paused = true)]`) moves all of them at once and takes no real
//! time. Wall time, which is stamped on requests and compared with expiry times, comes from a [`Clock`]:
//! [`SystemClock`] by default, or [`TokioClock`] where wall time must follow a paused runtime too.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// A clock shared by a client and its credential providers.
pub type SharedClock = Arc<dyn Clock>;

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Wall time that advances with tokio's clock: on a paused test runtime it moves only when tokio's time
/// does, so waits of hours take no real time and wall-clock deadlines stay consistent with them.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use scf_transport::time::{Clock, TokioClock};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let clock = TokioClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// tokio::time::sleep(Duration::from_secs(72 * 3600)).await;
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_259_200));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    wall: SystemTime,
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading the machine's time now, then advancing with tokio's clock.
    pub fn new() -> Self {
        Self::starting_at(SystemTime::now())
    }

    /// A clock reading `wall` now, then advancing with tokio's clock.
    pub fn starting_at(wall: SystemTime) -> Self {
        Self {
            wall,
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.wall + self.origin.elapsed()
    }
}

/// Unix seconds on `clock`; 0 before 1970.
pub(crate) fn unix_seconds(clock: &dyn Clock) -> u64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
