//! The offset between the local clock and the server's, learned from responses.
//!
//! A request whose timestamp is more than 5 minutes off is refused with `AuthFailure.SignatureExpire`.
//! Every response carries a `Date`; when it shows the local clock off by more than a minute, later
//! requests are timestamped with the server's time instead. No official Tencent Cloud SDK does this.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::UNIX_EPOCH;

use crate::time::{SharedClock, unix_seconds};

/// Below this difference the clocks are taken to agree: `Date` has one-second resolution and the response
/// took some time to arrive.
const TOLERANCE_SECS: i64 = 60;

/// The learned offset, shared by all clones of a client, over the client's wall clock.
#[derive(Debug, Clone)]
pub(crate) struct ClockSkew {
    clock: SharedClock,
    offset_secs: Arc<AtomicI64>,
}

impl ClockSkew {
    pub(crate) fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            offset_secs: Arc::default(),
        }
    }

    pub(crate) fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// Unix seconds on the server's clock, as best known.
    pub(crate) fn now(&self) -> u64 {
        self.local_now().saturating_add_signed(self.offset_secs())
    }

    /// Learns from a `Date` header. Returns whether the offset changed.
    pub(crate) fn observe(&self, date: &str) -> bool {
        let Ok(server) = httpdate::parse_http_date(date) else {
            return false;
        };
        let Ok(server) = server.duration_since(UNIX_EPOCH) else {
            return false;
        };
        let difference = server.as_secs() as i64 - self.local_now() as i64;
        let learned = if difference.abs() > TOLERANCE_SECS {
            difference
        } else {
            0
        };
        self.offset_secs.swap(learned, Ordering::Relaxed) != learned
    }

    fn local_now(&self) -> u64 {
        unix_seconds(self.clock.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TokioClock;
    use std::time::Duration;

    const NOW: u64 = 1_700_000_000;

    fn date(offset: i64) -> String {
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(NOW.saturating_add_signed(offset)))
    }

    #[tokio::test(start_paused = true)]
    async fn learns_offsets_beyond_a_minute_and_forgets_them_when_clocks_agree() {
        let clock = TokioClock::starting_at(UNIX_EPOCH + Duration::from_secs(NOW));
        let skew = ClockSkew::new(Arc::new(clock));
        assert!(!skew.observe(&date(60)));
        assert_eq!(skew.offset_secs(), 0);
        assert!(skew.observe(&date(61)));
        assert_eq!(skew.offset_secs(), 61);
        assert!(skew.observe(&date(600)));
        assert_eq!((skew.offset_secs(), skew.now()), (600, NOW + 600));
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(
            skew.now(),
            NOW + 630,
            "the offset applies to the moving clock"
        );
        assert!(skew.observe(&date(-600)));
        assert_eq!(skew.offset_secs(), -630);
        assert!(skew.observe(&date(0)));
        assert_eq!(skew.offset_secs(), 0);
        assert!(!skew.observe("not a date"));
    }
}
