//! Values of the query language and how results render them (every result value is a string).

use std::cmp::Ordering;
use std::sync::Arc;

/// A value. Strings that look like numbers take part in arithmetic and comparisons as numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(Arc<str>),
    /// Epoch milliseconds, rendered as `2024-01-01 00:00:00.000`.
    Time(i64),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// Whether the value is absent.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a number, if it is one or a string that parses as one.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Time(t) => Some(*t as f64),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    None
                } else {
                    t.parse::<f64>().ok().filter(|n| n.is_finite())
                }
            }
            Value::Null => None,
        }
    }

    /// The value as epoch milliseconds (times, numbers, or numeric strings).
    pub fn as_time(&self) -> Option<i64> {
        match self {
            Value::Time(t) => Some(*t),
            other => other.as_num().map(|n| n as i64),
        }
    }

    /// Truthiness in `filter`: booleans, non-zero numbers; strings and nulls are false unless
    /// they spell `true`.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0,
            Value::Time(_) => true,
            Value::Str(s) => s.eq_ignore_ascii_case("true"),
            Value::Null => false,
        }
    }

    /// The value as the result string (`None` for null: the field is left out of the row).
    pub fn render(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(if *b { "1".into() } else { "0".into() }),
            Value::Num(n) => Some(format_num(*n)),
            Value::Str(s) => Some(s.to_string()),
            Value::Time(t) => Some(format_time(*t)),
        }
    }

    /// The value as text for string functions (null is empty).
    pub fn text(&self) -> String {
        self.render().unwrap_or_default()
    }

    /// Total order used by `sort`, `min`, `max`: numbers numerically, else strings; nulls
    /// sort before everything.
    pub fn compare(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => Ordering::Less,
            (_, Value::Null) => Ordering::Greater,
            _ => match (self.as_num(), other.as_num()) {
                (Some(a), Some(b)) => a.total_cmp(&b),
                _ => self.text().cmp(&other.text()),
            },
        }
    }

    /// Equality as `=` tests it: numeric if both sides are numbers, else textual.
    pub fn loose_eq(&self, other: &Value) -> bool {
        if self.is_null() || other.is_null() {
            return false;
        }
        match (self.as_num(), other.as_num()) {
            (Some(a), Some(b)) => a == b,
            _ => self.text() == other.text(),
        }
    }
}

/// Renders a number: integers without a fraction, others with up to 17 significant digits
/// (Rust's shortest round-trip form).
pub fn format_num(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n == n.trunc() && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Renders epoch milliseconds as Insights does: `2024-01-01 00:00:00.000` (UTC).
pub fn format_time(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{milli:03}")
}

/// Parses an ISO-8601-like timestamp (`2024-01-02T03:04:05.678Z`, `2024-01-02 03:04:05`) to
/// epoch milliseconds (UTC unless an offset is given).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo as u32, d as u32) * 86_400_000;
    if b.len() == 10 {
        return Some(ms);
    }
    if !matches!(b[10], b'T' | b' ') || b.len() < 19 {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    ms += h * 3_600_000 + mi * 60_000 + se * 1000;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let j = i + 1 + b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let frac = s.get(i + 1..j)?;
        let mut f: String = frac.chars().take(3).collect();
        while f.len() < 3 {
            f.push('0');
        }
        ms += f.parse::<i64>().ok()?;
        i = j;
    }
    match s.get(i..)? {
        "" | "Z" | "z" => Some(ms),
        off if off.len() == 6 && (off.starts_with('+') || off.starts_with('-')) => {
            let oh = off.get(1..3)?.parse::<i64>().ok()?;
            let om = off.get(4..6)?.parse::<i64>().ok()?;
            let delta = (oh * 60 + om) * 60_000;
            Some(if off.starts_with('+') {
                ms - delta
            } else {
                ms + delta
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_render_and_parse() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00.000");
        assert_eq!(format_time(1_704_067_200_123), "2024-01-01 00:00:00.123");
        assert_eq!(
            parse_time("2024-01-01T00:00:00.123Z"),
            Some(1_704_067_200_123)
        );
        assert_eq!(
            parse_time("2024-01-01 01:00:00+01:00"),
            Some(1_704_067_200_000)
        );
        assert_eq!(format_num(3.0), "3");
        assert_eq!(format_num(2.5), "2.5");
    }
}
