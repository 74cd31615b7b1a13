//! The service's time formats: event times and intervals in China Standard Time (UTC+8), and HTTP dates.

use time::format_description::FormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Tencent Cloud's console and API times are in Beijing time (inferred; the docs do not state it).
const SERVICE_OFFSET: UtcOffset = offset!(+8);
const EVENT_TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]");
const INTERVAL_TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

fn at(millis: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2020-12-01 08:35:00.000`, the format of `AsyncEvent.StartTime` and `EndTime`.
pub(crate) fn event_time(millis: u64) -> String {
    at(millis)
        .to_offset(SERVICE_OFFSET)
        .format(EVENT_TIME)
        .unwrap_or_default()
}

/// `2020-12-01 08:35:00`, the format of `AddTime` and `ModTime` of every resource.
pub(crate) fn resource_time(millis: u64) -> String {
    at(millis)
        .to_offset(SERVICE_OFFSET)
        .format(INTERVAL_TIME)
        .unwrap_or_default()
}

/// Milliseconds since the epoch of `2024-12-14 00:00:00`, the format of `TimeInterval`.
pub(crate) fn parse_interval_time(text: &str) -> Option<u64> {
    let local = PrimitiveDateTime::parse(text, INTERVAL_TIME).ok()?;
    let millis = local.assume_offset(SERVICE_OFFSET).unix_timestamp_nanos() / 1_000_000;
    u64::try_from(millis).ok()
}

/// `Tue, 14 Nov 2023 22:13:20 GMT`, the HTTP `Date` header.
pub(crate) fn http_date(millis: u64) -> String {
    const HTTP_DATE: &[FormatItem<'static>] = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at(millis).format(HTTP_DATE).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_service() {
        assert_eq!(event_time(1_700_000_000_123), "2023-11-15 06:13:20.123");
        assert_eq!(
            http_date(1_700_000_000_999),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(
            parse_interval_time("2023-11-15 06:13:20"),
            Some(1_700_000_000_000)
        );
        assert_eq!(resource_time(1_700_000_000_999), "2023-11-15 06:13:20");
        assert_eq!(parse_interval_time("2023-11-15T06:13:20"), None);
        assert_eq!(parse_interval_time("2023-13-15 06:13:20"), None);
    }
}
