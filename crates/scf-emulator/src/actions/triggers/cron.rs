//! The cron expressions of timer triggers, checked as the service documents them (583/9708).
//!
//! Seven fields, `second minute hour day month weekday year`, or the legacy five, `minute hour day month
//! weekday`. A field is a comma-separated list of `*`, a value, a range `a-b`, any of those with a step
//! `/n`, and the specials the docs allow: `?` and `L` in day and weekday, `nW` and `LW` in day, `nL` and
//! `n#k` in weekday. Months may be `JAN`..`DEC` and weekdays `SUN`..`SAT` (0 is Sunday), in any case.
//! A range must not run backwards (inferred: the docs show none that does).

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
const FIVE: [&Field; 5] = [&MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY];

/// Checks `expression`; the error says which field is wrong and why.
pub(super) fn check(expression: &str) -> Result<(), String> {
    let parts: Vec<&str> = expression.split_whitespace().collect();
    let fields: &[&Field] = match parts.len() {
        7 => &SEVEN,
        5 => &FIVE,
        n => {
            return Err(format!(
                "a cron expression has 7 fields (second minute hour day month weekday year) or 5, not {n}"
            ));
        }
    };
    for (part, field) in parts.iter().zip(fields) {
        for item in part.split(',') {
            check_item(item, field)
                .map_err(|why| format!("its {} field `{part}` is invalid: {why}", field.name))?;
        }
    }
    Ok(())
}

fn check_item(item: &str, field: &Field) -> Result<(), String> {
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
    if let Some(special) = special(item, field) {
        return special;
    }
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        let step: u32 = step
            .parse()
            .map_err(|_| format!("the step `{step}` is not a number"))?;
        if step == 0 || step > field.max {
            return Err(format!("the step {step} is outside 1-{}", field.max));
        }
    }
    if base == "*" {
        return Ok(());
    }
    match base.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (value(from, field)?, value(to, field)?);
            if from > to {
                return Err(format!("the range {from}-{to} runs backwards"));
            }
            Ok(())
        }
        None => value(base, field).map(|_| ()),
    }
}

/// The day and weekday specials, or `None` when `item` is none of them.
fn special(item: &str, field: &Field) -> Option<Result<(), String>> {
    let upper = item.to_ascii_uppercase();
    if field.day_specials {
        if upper == "L" || upper == "LW" {
            return Some(Ok(()));
        }
        if let Some(day) = upper.strip_suffix('W') {
            return Some(value(day, field).map(|_| ()));
        }
    }
    if field.weekday_specials {
        if upper == "L" {
            return Some(Ok(()));
        }
        if let Some(day) = upper.strip_suffix('L') {
            return Some(value(day, field).map(|_| ()));
        }
        if let Some((day, nth)) = upper.split_once('#') {
            let nth_ok = matches!(nth.parse::<u32>(), Ok(1..=5));
            return Some(value(day, field).and_then(|_| {
                if nth_ok {
                    Ok(())
                } else {
                    Err(format!("`#{nth}` is not a week of the month 1-5"))
                }
            }));
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

#[cfg(test)]
mod tests {
    use super::check;

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
