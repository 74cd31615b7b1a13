//! The cron expressions of timer triggers: checked as the service documents them (583/9708), and
//! evaluated to the times they fire.
//!
//! Seven fields, `second minute hour day month weekday year`, or the legacy five, `minute hour day month
//! weekday` (which fire at second 0 of any year). A field is a comma-separated list of `*`, a value, a
//! range `a-b`, any of those with a step `/n` (`a/n` runs from `a` to the field's end), and the specials
//! the docs allow: `?` and `L` in day and weekday, `nW` and `LW` in day, `nL` and `n#k` in weekday.
//! Months may be `JAN`..`DEC` and weekdays `SUN`..`SAT` (0 is Sunday), in any case. A range must not run
//! backwards (inferred: the docs show none that does).
//!
//! Evaluation follows Quartz, whose specials the docs copy: `L` is the month's last day (in weekday,
//! Saturday), `LW` its last weekday, `15W` the weekday nearest the 15th within the month, `6L` its last
//! Friday, `2#3` its third Monday. When both day and weekday are restricted (neither is `*` nor `?`), a
//! date matches either, as the timer docs say. Times are read in the service's zone, UTC+8 (inferred:
//! the docs name none, and the emulator shows every other time in it), which has no daylight saving.

use time::macros::offset;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The zone the fields are read in.
const ZONE: UtcOffset = offset!(+8);

/// One field of an expression: its name for messages, its bounds and the specials it allows.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names of the values from `min` on, if the field has any.
    names: &'static [&'static str],
    day_specials: bool,
    weekday_specials: bool,
}

const fn field(name: &'static str, min: u32, max: u32) -> Field {
    Field {
        name,
        min,
        max,
        names: &[],
        day_specials: false,
        weekday_specials: false,
    }
}

const SECOND: Field = field("second", 0, 59);
const MINUTE: Field = field("minute", 0, 59);
const HOUR: Field = field("hour", 0, 23);
const DAY: Field = Field {
    day_specials: true,
    ..field("day of month", 1, 31)
};
const MONTH: Field = Field {
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    ..field("month", 1, 12)
};
const WEEKDAY: Field = Field {
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    weekday_specials: true,
    ..field("day of week", 0, 6)
};
const YEAR: Field = field("year", 1970, 2099);

const SEVEN: [&Field; 7] = [&SECOND, &MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY, &YEAR];

/// What one field allows.
#[derive(Debug, Clone)]
struct Allowed {
    /// Indexed by value: whether the field allows it.
    values: Vec<bool>,
    /// `*` or `?`: no restriction, which matters when day and weekday meet.
    unrestricted: bool,
    /// Day `L`: the month's last day.
    last_day: bool,
    /// Day `LW`: the month's last weekday.
    last_weekday: bool,
    /// Day `nW`: the weekday nearest the nth.
    nearest_weekday: Vec<u32>,
    /// Weekday `nL`: the month's last such day.
    last_of_month: Vec<u32>,
    /// Weekday `n#k`: the month's kth such day.
    nth_of_month: Vec<(u32, u32)>,
}

impl Allowed {
    fn new(field: &Field, part: &str) -> Self {
        Self {
            values: vec![false; field.max as usize + 1],
            unrestricted: part == "*" || part == "?",
            last_day: false,
            last_weekday: false,
            nearest_weekday: Vec::new(),
            last_of_month: Vec::new(),
            nth_of_month: Vec::new(),
        }
    }

    fn has(&self, value: u32) -> bool {
        self.values.get(value as usize).copied().unwrap_or(false)
    }

    /// The highest allowed value not above `bound`.
    fn highest_at_most(&self, bound: u32) -> Option<u32> {
        (0..=bound).rev().find(|&value| self.has(value))
    }
}

/// A parsed expression: when it fires.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    second: Allowed,
    minute: Allowed,
    hour: Allowed,
    day: Allowed,
    month: Allowed,
    weekday: Allowed,
    year: Allowed,
}

/// Checks `expression`; the error says which field is wrong and why.
pub(super) fn check(expression: &str) -> Result<(), String> {
    parse(expression).map(|_| ())
}

/// Parses `expression`; the error says which field is wrong and why.
pub(super) fn parse(expression: &str) -> Result<Schedule, String> {
    let parts: Vec<&str> = expression.split_whitespace().collect();
    let parts: Vec<&str> = match parts.len() {
        7 => parts,
        // The legacy form fires at second 0 of any year.
        5 => std::iter::once("0")
            .chain(parts)
            .chain(std::iter::once("*"))
            .collect(),
        n => {
            return Err(format!(
                "a cron expression has 7 fields (second minute hour day month weekday year) or 5, not {n}"
            ));
        }
    };
    let mut parsed = Vec::with_capacity(7);
    for (part, field) in parts.iter().zip(SEVEN) {
        let mut allowed = Allowed::new(field, part);
        for item in part.split(',') {
            parse_item(item, field, &mut allowed)
                .map_err(|why| format!("its {} field `{part}` is invalid: {why}", field.name))?;
        }
        parsed.push(allowed);
    }
    let mut fields = parsed.into_iter();
    let mut next = || fields.next().ok_or_else(|| "a field is missing".to_owned());
    Ok(Schedule {
        second: next()?,
        minute: next()?,
        hour: next()?,
        day: next()?,
        month: next()?,
        weekday: next()?,
        year: next()?,
    })
}

fn parse_item(item: &str, field: &Field, allowed: &mut Allowed) -> Result<(), String> {
    if item.is_empty() {
        return Err("an empty list item".to_owned());
    }
    if item == "?" {
        return if field.day_specials || field.weekday_specials {
            Ok(())
        } else {
            Err("`?` is for the day and weekday fields only".to_owned())
        };
    }
    if let Some(special) = special(item, field, allowed) {
        return special;
    }
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(step)),
        None => (item, None),
    };
    let step = match step {
        Some(step) => {
            let step: u32 = step
                .parse()
                .map_err(|_| format!("the step `{step}` is not a number"))?;
            if step == 0 || step > field.max {
                return Err(format!("the step {step} is outside 1-{}", field.max));
            }
            Some(step)
        }
        None => None,
    };
    let (from, to) = if base == "*" {
        (field.min, field.max)
    } else {
        match base.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (value(from, field)?, value(to, field)?);
                if from > to {
                    return Err(format!("the range {from}-{to} runs backwards"));
                }
                (from, to)
            }
            // `a/n` runs from `a` to the field's end.
            None => {
                let from = value(base, field)?;
                (from, if step.is_some() { field.max } else { from })
            }
        }
    };
    for value in (from..=to).step_by(step.unwrap_or(1) as usize) {
        allowed.values[value as usize] = true;
    }
    Ok(())
}

/// The day and weekday specials, or `None` when `item` is none of them.
fn special(item: &str, field: &Field, allowed: &mut Allowed) -> Option<Result<(), String>> {
    let upper = item.to_ascii_uppercase();
    if field.day_specials {
        if upper == "L" {
            allowed.last_day = true;
            return Some(Ok(()));
        }
        if upper == "LW" {
            allowed.last_weekday = true;
            return Some(Ok(()));
        }
        if let Some(day) = upper.strip_suffix('W') {
            return Some(value(day, field).map(|day| allowed.nearest_weekday.push(day)));
        }
    }
    if field.weekday_specials {
        // Alone, `L` is the week's last day.
        if upper == "L" {
            allowed.values[6] = true;
            return Some(Ok(()));
        }
        if let Some(day) = upper.strip_suffix('L') {
            return Some(value(day, field).map(|day| allowed.last_of_month.push(day)));
        }
        if let Some((day, nth)) = upper.split_once('#') {
            let nth = match nth.parse::<u32>() {
                Ok(nth @ 1..=5) => nth,
                _ => return Some(Err(format!("`#{nth}` is not a week of the month 1-5"))),
            };
            return Some(value(day, field).map(|day| allowed.nth_of_month.push((day, nth))));
        }
    }
    None
}

fn value(text: &str, field: &Field) -> Result<u32, String> {
    if let Some(index) = field
        .names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
    {
        return Ok(field.min + index as u32);
    }
    match text.parse::<u32>() {
        Ok(number) if (field.min..=field.max).contains(&number) => Ok(number),
        Ok(number) => Err(format!("{number} is outside {}-{}", field.min, field.max)),
        Err(_) => Err(format!("`{text}` is not a value")),
    }
}

impl Schedule {
    /// The times it fires in `(after, until]`, in milliseconds since the epoch, oldest first: at most
    /// `limit` of them, the latest ones. Fire times are whole seconds.
    pub(super) fn fire_times(&self, after: u64, until: u64, limit: usize) -> Vec<u64> {
        // A whole second `s` is in the interval when after < 1000 s <= until.
        let above = (after / 1000) as i64;
        let mut cursor = (until / 1000) as i64;
        let mut found = Vec::new();
        while found.len() < limit {
            match self.latest(cursor, above) {
                Some(second) => {
                    found.push(second as u64 * 1000);
                    cursor = second - 1;
                }
                None => break,
            }
        }
        found.reverse();
        found
    }

    /// The latest fire time in `(above, at_most]`, in seconds since the epoch.
    fn latest(&self, at_most: i64, above: i64) -> Option<i64> {
        if at_most <= above {
            return None;
        }
        let local = |second: i64| {
            OffsetDateTime::from_unix_timestamp(second)
                .ok()
                .map(|t| t.to_offset(ZONE))
        };
        let start = local(at_most)?;
        let earliest = local(above)?.date();
        let mut date = start.date();
        let mut bound = (
            u32::from(start.hour()),
            u32::from(start.minute()),
            u32::from(start.second()),
        );
        const END_OF_DAY: (u32, u32, u32) = (23, 59, 59);
        while date >= earliest {
            let year = u32::try_from(date.year()).unwrap_or(0);
            if !self.year.has(year) {
                date = Date::from_calendar_date(date.year() - 1, Month::December, 31).ok()?;
                bound = END_OF_DAY;
                continue;
            }
            if !self.month.has(u32::from(u8::from(date.month()))) {
                date = date.replace_day(1).ok()?.previous_day()?;
                bound = END_OF_DAY;
                continue;
            }
            if self.day_matches(date)
                && let Some((hour, minute, second)) = self.latest_time(bound)
            {
                let time = Time::from_hms(hour as u8, minute as u8, second as u8).ok()?;
                let fire = PrimitiveDateTime::new(date, time)
                    .assume_offset(ZONE)
                    .unix_timestamp();
                // The latest fire time not after `at_most` is not after `above` either.
                return (fire > above).then_some(fire);
            }
            date = date.previous_day()?;
            bound = END_OF_DAY;
        }
        None
    }

    /// The latest time of day it allows, not after `bound` (hour, minute, second).
    fn latest_time(
        &self,
        (hour_bound, minute_bound, second_bound): (u32, u32, u32),
    ) -> Option<(u32, u32, u32)> {
        let mut hour = self.hour.highest_at_most(hour_bound)?;
        loop {
            let minute_limit = if hour == hour_bound { minute_bound } else { 59 };
            let mut minute = self.minute.highest_at_most(minute_limit);
            while let Some(m) = minute {
                let second_limit = if hour == hour_bound && m == minute_bound {
                    second_bound
                } else {
                    59
                };
                if let Some(second) = self.second.highest_at_most(second_limit) {
                    return Some((hour, m, second));
                }
                minute = m
                    .checked_sub(1)
                    .and_then(|m| self.minute.highest_at_most(m));
            }
            hour = self.hour.highest_at_most(hour.checked_sub(1)?)?;
        }
    }

    /// Whether the date's day of month and weekday fields allow it; both restricted, either does.
    fn day_matches(&self, date: Date) -> bool {
        let by_day = || day_allows(&self.day, date);
        let by_weekday = || weekday_allows(&self.weekday, date);
        match (self.day.unrestricted, self.weekday.unrestricted) {
            (true, true) => true,
            (true, false) => by_weekday(),
            (false, true) => by_day(),
            (false, false) => by_day() || by_weekday(),
        }
    }
}

fn days_in_month(date: Date) -> u8 {
    time::util::days_in_month(date.month(), date.year())
}

fn is_weekday(date: Date) -> bool {
    date.weekday().number_days_from_monday() < 5
}

fn day_allows(allowed: &Allowed, date: Date) -> bool {
    let day = date.day();
    let last = days_in_month(date);
    if allowed.has(u32::from(day)) || (allowed.last_day && day == last) {
        return true;
    }
    if allowed.last_weekday {
        let last_weekday = (1..=last)
            .rev()
            .find(|&d| date.replace_day(d).is_ok_and(is_weekday));
        if last_weekday == Some(day) {
            return true;
        }
    }
    allowed
        .nearest_weekday
        .iter()
        .any(|&n| nearest_weekday(date, n) == Some(day))
}

/// The weekday nearest the nth of the date's month, within that month (Quartz's `nW`).
fn nearest_weekday(date: Date, n: u32) -> Option<u8> {
    let last = days_in_month(date);
    let n = u8::try_from(n).ok().filter(|&n| n <= last)?;
    let target = date.replace_day(n).ok()?;
    Some(match target.weekday() {
        time::Weekday::Saturday if n == 1 => 3,
        time::Weekday::Saturday => n - 1,
        time::Weekday::Sunday if n == last => n - 2,
        time::Weekday::Sunday => n + 1,
        _ => n,
    })
}

fn weekday_allows(allowed: &Allowed, date: Date) -> bool {
    let weekday = u32::from(date.weekday().number_days_from_sunday());
    let day = date.day();
    allowed.has(weekday)
        || (allowed.last_of_month.contains(&weekday) && day + 7 > days_in_month(date))
        || allowed
            .nth_of_month
            .contains(&(weekday, u32::from(day - 1) / 7 + 1))
}

#[cfg(test)]
mod tests {
    use time::{Date, Month, PrimitiveDateTime, Time};

    use super::{ZONE, check, parse};

    /// 2024-12-14 00:00:00 in UTC+8, a Saturday.
    const START: u64 = 1_734_105_600_000;
    const SECOND: u64 = 1_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;

    /// Midnight of a date in the service's zone, in milliseconds.
    fn midnight(year: i32, month: u8, day: u8) -> u64 {
        let date = Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap();
        let at = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(ZONE);
        at.unix_timestamp() as u64 * 1000
    }

    fn fires(expression: &str, after: u64, until: u64, limit: usize) -> Vec<u64> {
        parse(expression)
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
            .fire_times(after, until, limit)
    }

    #[test]
    fn documented_expressions_pass() {
        for expression in [
            "0 */2 * * * * *",
            "0 0 0 */2 * * *",
            "0 15 10 ? * MON-FRI *",
            "0 0 12 LW * ? 2030",
            "0 0 8 15W JAN,jul ? *",
            "0 0 10 ? * 6L *",
            "0 0 10 ? * 2#3 *",
            "5 10-40/5 1,3,5 1-31 1-12 0-6 1970-2099",
            "*/5 * * * *",
        ] {
            assert_eq!(check(expression), Ok(()), "{expression}");
        }
    }

    #[test]
    fn fire_times_are_the_matches_after_the_start_up_to_the_end() {
        assert_eq!(midnight(2024, 12, 14), START);
        let minutes = |ns: &[u64]| ns.iter().map(|n| START + n * MINUTE).collect::<Vec<_>>();
        assert_eq!(
            fires("0 */1 * * * * *", START, START + 3 * MINUTE, 100),
            minutes(&[1, 2, 3])
        );
        // The start is excluded, the end included, to the millisecond.
        assert_eq!(
            fires("0 */1 * * * * *", START - 1, START + 3 * MINUTE - 1, 100),
            minutes(&[0, 1, 2])
        );
        assert_eq!(
            fires("0 * * * * * *", START + 500, START + MINUTE + 999, 100),
            minutes(&[1])
        );
        // The legacy five fields fire at second 0.
        assert_eq!(
            fires("*/5 * * * *", START, START + 16 * MINUTE, 100),
            minutes(&[5, 10, 15])
        );
        assert_eq!(
            fires("10-40/15 0 0 * * * *", START, START + HOUR, 100),
            [10, 25, 40].map(|s| START + s * SECOND)
        );
    }

    #[test]
    fn a_limit_keeps_the_latest_fire_times() {
        let second = |ns: &[u64]| ns.iter().map(|n| START + n * SECOND).collect::<Vec<_>>();
        assert_eq!(
            fires("*/1 * * * * * *", START, START + 5 * SECOND, 3),
            second(&[3, 4, 5])
        );
        // A clock that jumps by a year finds the latest fire times at once.
        let year_later = midnight(2025, 12, 14);
        let latest = fires("* * * * * * *", START, year_later, 100);
        assert_eq!(latest.len(), 100);
        assert_eq!(latest[0], year_later - 99 * SECOND);
        assert_eq!(latest[99], year_later);
        assert_eq!(
            fires("0 0 0 1 * ? *", START, year_later, 2),
            [midnight(2025, 11, 1), midnight(2025, 12, 1)]
        );
    }

    #[test]
    fn hours_are_read_in_utc_plus_8() {
        assert_eq!(
            fires("0 0 8 * * * *", START, START + 48 * HOUR, 100),
            [START + 8 * HOUR, START + 32 * HOUR]
        );
    }

    #[test]
    fn day_and_weekday_specials_follow_quartz() {
        let jan = midnight(2025, 1, 1) - 1;
        let year_end = midnight(2025, 12, 31);
        let dates = |expression: &str, until: u64| fires(expression, jan, until, 100);
        let may = midnight(2025, 5, 1) - 1;
        assert_eq!(
            dates("0 0 0 L * ? *", may),
            [(1, 31), (2, 28), (3, 31), (4, 30)].map(|(m, d)| midnight(2025, m, d))
        );
        // May 31 is a Saturday and August 31 a Sunday: their last weekdays are the Fridays before.
        let lw = dates("0 0 0 LW * ? *", year_end);
        assert!(lw.contains(&midnight(2025, 5, 30)) && lw.contains(&midnight(2025, 8, 29)));
        assert_eq!(lw.len(), 12, "one a month; the end is included");
        // February 1 and 15 are Saturdays, June 15 a Sunday, November 30 a Sunday and the month's end.
        let nearest = dates("0 0 0 1W,15W,30W * ? *", year_end);
        for (m, d) in [(2, 3), (2, 14), (6, 16), (11, 28)] {
            assert!(
                nearest.contains(&midnight(2025, m, d)),
                "{m}-{d}: {nearest:?}"
            );
        }
        assert!(!nearest.contains(&midnight(2025, 2, 1)));
        let march = midnight(2025, 3, 1) - 1;
        assert_eq!(
            dates("0 0 0 ? * 5L *", march),
            [midnight(2025, 1, 31), midnight(2025, 2, 28)]
        );
        assert_eq!(
            dates("0 0 0 ? * MON#3 *", march),
            [midnight(2025, 1, 20), midnight(2025, 2, 17)]
        );
        // Both restricted: either matches.
        let february = midnight(2025, 2, 1) - 1;
        assert_eq!(
            dates("0 0 0 1 * MON *", february),
            [1, 6, 13, 20, 27].map(|d| midnight(2025, 1, d))
        );
        assert_eq!(
            fires("0 0 0 1 1 ? 2026", START, midnight(2030, 1, 1), 100),
            [midnight(2026, 1, 1)]
        );
        // February 30 never comes.
        assert_eq!(
            dates("0 0 0 30 2 ? *", midnight(2035, 1, 1)),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn malformed_expressions_say_why() {
        for (expression, says) in [
            ("*/2****", "not 1"),
            ("0 */2 * * * *", "not 6"),
            ("60 * * * * * *", "second field `60`"),
            ("0 0 24 * * * *", "hour field"),
            ("0 0 0 0 * * *", "day of month field"),
            ("0 0 0 * 13 * *", "month field"),
            ("0 0 0 * * 7 *", "day of week field"),
            ("0 0 0 * * * 2100", "year field"),
            ("0 0 0 * * * 1969", "year field"),
            ("0 */0 * * * * *", "step 0"),
            ("0 5-1 * * * * *", "backwards"),
            ("? * * * * * *", "`?` is for"),
            ("0 0 0 1,,2 * * *", "empty"),
            ("0 0 0 ? * 2#6 *", "week of the month"),
            ("0 0 0 * * FOO *", "not a value"),
        ] {
            let error = check(expression).expect_err(expression);
            assert!(error.contains(says), "{expression}: {error}");
        }
    }
}
