//! Schedule expressions of scheduled rules: `rate(value unit)` and six-field
//! `cron(minutes hours day-of-month month day-of-week year)`, in UTC, with the next firing time.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

const MINUTE_MS: i64 = 60_000;
const FIRST_YEAR: i16 = 1970;
const LAST_YEAR: i16 = 2199;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Fires every `period_ms`, counted from an anchor (the rule's creation).
    Rate {
        period_ms: i64,
    },
    Cron(Box<Cron>),
}

/// Why a schedule expression was rejected (EventBridge reports every case with one message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Parameter ScheduleExpression is not valid.")]
pub struct ScheduleError {
    /// What was wrong, for logs and tests.
    pub reason: String,
}

fn bad(reason: impl Into<String>) -> ScheduleError {
    ScheduleError {
        reason: reason.into(),
    }
}

impl Schedule {
    /// Parses `rate(...)` or `cron(...)`.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let text = text.trim();
        if let Some(body) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
            return parse_rate(body);
        }
        if let Some(body) = text.strip_prefix("cron(").and_then(|t| t.strip_suffix(')')) {
            return Cron::parse(body).map(|c| Schedule::Cron(Box::new(c)));
        }
        Err(bad("expected rate(...) or cron(...)"))
    }

    /// The first firing strictly after `after_ms`. `anchor_ms` is when a rate schedule started.
    pub fn next_after(&self, anchor_ms: i64, after_ms: i64) -> Option<i64> {
        match self {
            Schedule::Rate { period_ms } => {
                if after_ms < anchor_ms {
                    return Some(anchor_ms + period_ms);
                }
                let n = (after_ms - anchor_ms) / period_ms + 1;
                Some(anchor_ms + n * period_ms)
            }
            Schedule::Cron(c) => c.next_after(after_ms),
        }
    }
}

fn parse_rate(body: &str) -> Result<Schedule, ScheduleError> {
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("rate needs a value and a unit"));
    };
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("rate value must be a positive integer"));
    }
    let value: i64 = value.parse().map_err(|_| bad("rate value too large"))?;
    if value < 1 {
        return Err(bad("rate value must be positive"));
    }
    let unit_ms = match (unit, value == 1) {
        ("minute", true) | ("minutes", false) => MINUTE_MS,
        ("hour", true) | ("hours", false) => 60 * MINUTE_MS,
        ("day", true) | ("days", false) => 24 * 60 * MINUTE_MS,
        _ => {
            return Err(bad(
                "unit must be minute(s), hour(s) or day(s), singular for 1",
            ));
        }
    };
    let period_ms = value
        .checked_mul(unit_ms)
        .ok_or_else(|| bad("rate too large"))?;
    Ok(Schedule::Rate { period_ms })
}

/// Day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    /// `?`
    Unspecified,
    /// Bit d set for day d (1..=31).
    Days(u64),
    /// `L`: the last day of the month.
    Last,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u8),
}

/// Day-of-week field (1 = Sunday … 7 = Saturday).
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    Unspecified,
    Days(u64),
    /// `nL`: the last weekday n of the month.
    Last(u8),
    /// `n#k`: the k-th weekday n of the month.
    Nth(u8, u8),
}

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    dom: DayOfMonth,
    months: u64,
    dow: DayOfWeek,
    /// Bit (year - 1970) set, for 1970..=2199.
    years: [u64; 4],
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, ScheduleError> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(i as u32 + min);
    }
    let v: u32 = text
        .parse()
        .map_err(|_| bad(format!("{text} is not a number")))?;
    if v < min || v > max {
        return Err(bad(format!("{v} is outside {min}-{max}")));
    }
    Ok(v)
}

/// Parses a list of `*`, `a`, `a-b`, `a/s`, `*/s`, `a-b/s` into (value - offset) bits.
fn set(field: &str, min: u32, max: u32, names: &[&str]) -> Result<Vec<u32>, ScheduleError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let s: u32 = s.parse().map_err(|_| bad("bad step"))?;
                if s == 0 {
                    return Err(bad("step must be positive"));
                }
                (r, Some(s))
            }
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, min, max, names)?, value(b, min, max, names)?)
        } else {
            let v = value(range, min, max, names)?;
            (v, if step.is_some() { max } else { v })
        };
        if lo > hi {
            return Err(bad("range start after end"));
        }
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            out.push(v);
            v += step;
        }
    }
    Ok(out)
}

fn mask(field: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, ScheduleError> {
    Ok(set(field, min, max, names)?
        .into_iter()
        .fold(0u64, |m, v| m | (1u64 << v)))
}

impl Cron {
    /// Parses the six fields inside `cron(...)`.
    pub fn parse(body: &str) -> Result<Cron, ScheduleError> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = fields[..] else {
            return Err(bad("cron needs exactly six fields"));
        };
        let minutes = mask(min, 0, 59, &[])?;
        let hours = mask(hour, 0, 23, &[])?;
        let months = mask(month, 1, 12, &MONTHS)?;
        let dom = match dom {
            "?" => DayOfMonth::Unspecified,
            "L" => DayOfMonth::Last,
            d if d.ends_with('W') => {
                let n = value(&d[..d.len() - 1], 1, 31, &[])?;
                DayOfMonth::NearestWeekday(n as u8)
            }
            d => DayOfMonth::Days(mask(d, 1, 31, &[])?),
        };
        let dow = match dow {
            "?" => DayOfWeek::Unspecified,
            "L" => DayOfWeek::Last(7),
            d if d.len() > 1 && d.ends_with('L') => {
                DayOfWeek::Last(value(&d[..d.len() - 1], 1, 7, &WEEKDAYS)? as u8)
            }
            d if d.contains('#') => {
                let (w, k) = d.split_once('#').ok_or_else(|| bad("bad #"))?;
                let w = value(w, 1, 7, &WEEKDAYS)?;
                let k = value(k, 1, 5, &[])?;
                DayOfWeek::Nth(w as u8, k as u8)
            }
            d => DayOfWeek::Days(mask(d, 1, 7, &WEEKDAYS)?),
        };
        match (&dom, &dow) {
            (DayOfMonth::Unspecified, DayOfWeek::Unspecified) => {
                return Err(bad("one of day-of-month and day-of-week must be given"));
            }
            (DayOfMonth::Unspecified, _) | (_, DayOfWeek::Unspecified) => {}
            _ => return Err(bad("day-of-month or day-of-week must be ?")),
        }
        let mut years = [0u64; 4];
        for y in set(year, FIRST_YEAR as u32, LAST_YEAR as u32, &[])? {
            let i = (y - FIRST_YEAR as u32) as usize;
            years[i / 64] |= 1 << (i % 64);
        }
        Ok(Cron {
            minutes,
            hours,
            dom,
            months,
            dow,
            years,
        })
    }

    fn year_ok(&self, y: i16) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
            return false;
        }
        let i = (y - FIRST_YEAR) as usize;
        self.years[i / 64] & (1 << (i % 64)) != 0
    }

    fn day_ok(&self, d: Date) -> bool {
        let day = d.day() as u8;
        let last = d.days_in_month() as u8;
        let weekday = d.weekday().to_sunday_one_offset() as u8;
        let dom = match &self.dom {
            DayOfMonth::Unspecified => true,
            DayOfMonth::Days(m) => m & (1 << day) != 0,
            DayOfMonth::Last => day == last,
            DayOfMonth::NearestWeekday(n) => {
                let target = (*n).min(last);
                let t = d
                    .first_of_month()
                    .saturating_add(jiff::Span::new().days(i64::from(target) - 1));
                let tw = t.weekday().to_sunday_one_offset() as u8;
                let chosen = match tw {
                    7 if target == 1 => target + 2, // Saturday the 1st: Monday the 3rd
                    7 => target - 1,
                    1 if target == last => target - 2, // Sunday the last: Friday before
                    1 => target + 1,
                    _ => target,
                };
                day == chosen
            }
        };
        let dow = match &self.dow {
            DayOfWeek::Unspecified => true,
            DayOfWeek::Days(m) => m & (1 << weekday) != 0,
            DayOfWeek::Last(w) => weekday == *w && day + 7 > last,
            DayOfWeek::Nth(w, k) => weekday == *w && (day - 1) / 7 + 1 == *k,
        };
        dom && dow
    }

    /// The first minute strictly after `after_ms` that the expression selects.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let start = after_ms.div_euclid(MINUTE_MS) * MINUTE_MS + MINUTE_MS;
        let ts = jiff::Timestamp::from_millisecond(start).ok()?;
        let dt: DateTime = ts.to_zoned(TimeZone::UTC).datetime();
        let mut date = dt.date();
        let (mut h0, mut m0) = (dt.hour() as u32, dt.minute() as u32);
        while date.year() <= LAST_YEAR {
            if !self.year_ok(date.year()) {
                date = Date::new(date.year().checked_add(1)?, 1, 1).ok()?;
                (h0, m0) = (0, 0);
                continue;
            }
            if self.months & (1 << date.month()) == 0 {
                date = date.last_of_month().tomorrow().ok()?;
                (h0, m0) = (0, 0);
                continue;
            }
            if self.day_ok(date) {
                for h in h0..24 {
                    if self.hours & (1 << h) == 0 {
                        continue;
                    }
                    let from = if h == h0 { m0 } else { 0 };
                    if let Some(m) = (from..60).find(|m| self.minutes & (1 << m) != 0) {
                        let at = date.at(h as i8, m as i8, 0, 0);
                        return at
                            .to_zoned(TimeZone::UTC)
                            .ok()
                            .map(|z| z.timestamp().as_millisecond());
                    }
                }
            }
            date = date.tomorrow().ok()?;
            (h0, m0) = (0, 0);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>()
            .expect("timestamp")
            .as_millisecond()
    }

    fn iso(ms: i64) -> String {
        jiff::Timestamp::from_millisecond(ms)
            .expect("ts")
            .to_string()
    }

    fn next(expr: &str, after: &str) -> String {
        let s = Schedule::parse(expr).expect(expr);
        iso(s
            .next_after(ms("2020-01-01T00:00:00Z"), ms(after))
            .expect("fires"))
    }

    #[test]
    fn rates() {
        assert_eq!(
            Schedule::parse("rate(5 minutes)"),
            Ok(Schedule::Rate { period_ms: 300_000 })
        );
        assert!(Schedule::parse("rate(1 minutes)").is_err());
        assert!(Schedule::parse("rate(2 minute)").is_err());
        assert!(Schedule::parse("rate(0 minutes)").is_err());
        assert!(Schedule::parse("rate(1 week)").is_err());
        let s = Schedule::parse("rate(1 hour)").expect("rate");
        assert_eq!(s.next_after(1_000, 1_000), Some(3_601_000));
        assert_eq!(s.next_after(1_000, 3_601_000), Some(7_201_000));
    }

    #[test]
    fn cron_golden() {
        assert_eq!(
            next("cron(0 10 * * ? *)", "2026-11-29T09:57:00Z"),
            "2026-11-29T10:00:00Z"
        );
        assert_eq!(
            next("cron(0 10 * * ? *)", "2026-11-29T10:00:00Z"),
            "2026-11-30T10:00:00Z"
        );
        assert_eq!(
            next("cron(0/15 * * * ? *)", "2026-11-29T09:57:10Z"),
            "2026-11-29T10:00:00Z"
        );
        // 18:00 on the last Friday of the month.
        assert_eq!(
            next("cron(0 18 ? * 6L *)", "2026-11-01T00:00:00Z"),
            "2026-11-27T18:00:00Z"
        );
        // Weekdays at 8:00.
        assert_eq!(
            next("cron(0 8 ? * MON-FRI *)", "2026-11-28T09:00:00Z"),
            "2026-11-30T08:00:00Z"
        );
        // Last day of the month.
        assert_eq!(
            next("cron(30 0 L * ? *)", "2026-02-01T00:00:00Z"),
            "2026-02-28T00:30:00Z"
        );
        // Second Tuesday.
        assert_eq!(
            next("cron(0 12 ? * 3#2 *)", "2026-12-01T00:00:00Z"),
            "2026-12-08T12:00:00Z"
        );
        // Nearest weekday to the 1st when the 1st is a Saturday (2026-08-01): Monday the 3rd.
        assert_eq!(
            next("cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z"),
            "2026-08-03T09:00:00Z"
        );
        // Named months and a year list.
        assert_eq!(
            next("cron(0 0 1 JAN ? 2028)", "2026-11-29T00:00:00Z"),
            "2028-01-01T00:00:00Z"
        );
        // Never again.
        let s = Schedule::parse("cron(0 0 1 1 ? 1999)").expect("cron");
        assert_eq!(s.next_after(0, ms("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn cron_rejects() {
        for bad in [
            "cron(0 10 * * * *)",
            "cron(0 10 ? * ? *)",
            "cron(60 10 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 10 * * ?)",
            "cron(0 10 32 * ? *)",
            "cron(0 10 * 13 ? *)",
            "cron(0 10 ? * 8 *)",
            "cron(0 10 * * ? 2200)",
            "cron(*/0 10 * * ? *)",
            "rate(5 minutes",
            "every 5 minutes",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad} accepted");
        }
    }

    proptest::proptest! {
        #[test]
        fn cron_next_is_after_and_selected(after in 0i64..4_000_000_000_000i64, m in 0u32..60, h in 0u32..24) {
            let s = Schedule::parse(&format!("cron({m} {h} * * ? *)")).expect("cron");
            let t = s.next_after(0, after).expect("fires");
            proptest::prop_assert!(t > after);
            proptest::prop_assert!(t - after <= 86_400_000 + 60_000);
            proptest::prop_assert_eq!((t / 60_000) % 60, i64::from(m));
            proptest::prop_assert_eq!((t / 3_600_000) % 24, i64::from(h));
        }
    }
}
