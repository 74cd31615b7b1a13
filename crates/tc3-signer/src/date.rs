//! The UTC calendar date of a Unix timestamp, as the credential scope spells it.

/// The last second of 9999-12-31, the largest timestamp a `YYYY-MM-DD` scope can name.
pub(crate) const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// `YYYY-MM-DD` in UTC+0 for `timestamp`, or `None` past year 9999.
///
/// The scope date must be UTC: a local date breaks every request made between local and UTC midnight.
pub(crate) fn utc_date(timestamp: u64) -> Option<[u8; 10]> {
    if timestamp > MAX_TIMESTAMP {
        return None;
    }
    // Howard Hinnant's days-to-civil algorithm, restricted to days on or after 1970-01-01.
    let z = timestamp / 86_400 + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);

    let mut out = *b"0000-00-00";
    write_digits(&mut out[0..4], year);
    write_digits(&mut out[5..7], month);
    write_digits(&mut out[8..10], day);
    Some(out)
}

/// Writes `value` right-aligned into `out` in decimal, zero-padded.
fn write_digits(out: &mut [u8], mut value: u64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// A `u64` in decimal without allocating: the `X-TC-Timestamp` value and the string to sign's second line.
#[derive(Clone, Copy)]
pub(crate) struct Decimal {
    digits: [u8; 20],
    start: u8,
}

impl Decimal {
    pub(crate) fn new(mut value: u64) -> Self {
        // Two digits per division halves the divisions of a ten-digit timestamp.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        while value >= 10 {
            let pair = (value % 100) as u8;
            value /= 100;
            start -= 2;
            digits[start] = b'0' + pair / 10;
            digits[start + 1] = b'0' + pair % 10;
        }
        if value > 0 || start == digits.len() {
            start -= 1;
            digits[start] = b'0' + value as u8;
        }
        Self {
            digits,
            start: start as u8,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        std::str::from_utf8(&self.digits[usize::from(self.start)..]).unwrap_or("0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(timestamp: u64) -> String {
        String::from_utf8(utc_date(timestamp).unwrap().to_vec()).unwrap()
    }

    #[test]
    fn dates_match_known_instants() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_551_113_065), "2019-02-25");
        assert_eq!(date(1_551_139_199), "2019-02-25");
        assert_eq!(date(1_551_139_200), "2019-02-26");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(4_107_542_400), "2100-03-01");
        assert_eq!(date(3_437_942_699), "2078-12-11");
        assert_eq!(date(MAX_TIMESTAMP), "9999-12-31");
        assert_eq!(utc_date(MAX_TIMESTAMP + 1), None);
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Walk 1970..2200 one day at a time: the date must change on each step and never repeat.
        let mut previous = utc_date(0).unwrap();
        for day in 1..(230 * 366) {
            let current = utc_date(day * 86_400).unwrap();
            assert!(current > previous, "{day}");
            previous = current;
        }
    }

    #[test]
    fn decimal_spells_numbers() {
        for value in [
            0,
            7,
            10,
            99,
            100,
            101,
            1_700_000_000,
            10_000_000_000,
            u64::MAX,
        ] {
            assert_eq!(Decimal::new(value).as_str(), value.to_string());
        }
    }
}
