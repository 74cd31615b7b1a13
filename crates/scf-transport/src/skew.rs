//! The offset between the local clock and the server's, learned from responses.
//!
//! A request whose timestamp is more than 5 minutes off is refused with `AuthFailure.SignatureExpire`.
//! Every response carries a `Date`; when it shows the local clock off by more than a minute, later
//! requests are timestamped with the server's time instead. No official Tencent Cloud SDK does this.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Below this difference the clocks are taken to agree: `Date` has one-second resolution and the response
/// took some time to arrive.
const TOLERANCE_SECS: i64 = 60;

/// The learned offset, shared by all clones of a client.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClockSkew {
    offset_secs: Arc<AtomicI64>,
}

impl ClockSkew {
    pub(crate) fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// Unix seconds on the server's clock, as best known.
    pub(crate) fn now(&self) -> u64 {
        local_now().saturating_add_signed(self.offset_secs())
    }

    /// Learns from a `Date` header. Returns whether the offset changed.
    pub(crate) fn observe(&self, date: &str) -> bool {
        let Ok(server) = httpdate::parse_http_date(date) else {
            return false;
        };
        let Ok(server) = server.duration_since(UNIX_EPOCH) else {
            return false;
        };
        let difference = server.as_secs() as i64 - local_now() as i64;
        let learned = if difference.abs() > TOLERANCE_SECS {
            difference
        } else {
            0
        };
        self.offset_secs.swap(learned, Ordering::Relaxed) != learned
    }
}

fn local_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn date(offset: i64) -> String {
        let at = SystemTime::now()
            .checked_add(Duration::from_secs(offset.unsigned_abs()))
            .filter(|_| offset >= 0)
            .unwrap_or_else(|| SystemTime::now() - Duration::from_secs(offset.unsigned_abs()));
        httpdate::fmt_http_date(at)
    }

    #[test]
    fn learns_offsets_beyond_a_minute_and_forgets_them_when_clocks_agree() {
        let skew = ClockSkew::default();
        assert!(!skew.observe(&date(30)));
        assert_eq!(skew.offset_secs(), 0);
        assert!(skew.observe(&date(600)));
        assert!((599..=601).contains(&skew.offset_secs()));
        assert!(skew.now().abs_diff(local_now() + 600) <= 1);
        assert!(skew.observe(&date(-600)));
        assert!((-601..=-599).contains(&skew.offset_secs()));
        assert!(skew.observe(&date(0)));
        assert_eq!(skew.offset_secs(), 0);
        assert!(!skew.observe("not a date"));
    }
}
