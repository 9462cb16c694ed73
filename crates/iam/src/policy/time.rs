//! Date values in `Date…` conditions: ISO 8601 (date, date-time with or without offset; UTC when
//! none is given) or seconds since the Unix epoch.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Parses a condition date value to milliseconds since the Unix epoch.
pub(crate) fn parse_date_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    if numeric && let Ok(seconds) = text.parse::<f64>() {
        // Epoch seconds (possibly fractional or negative).
        let millis = (seconds * 1000.0).round();
        return (millis.is_finite() && millis.abs() < 9.0e15).then_some(millis as i64);
    }
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts.as_millisecond());
    }
    if let Ok(dt) = text.parse::<DateTime>() {
        return TimeZone::UTC
            .to_timestamp(dt)
            .ok()
            .map(Timestamp::as_millisecond);
    }
    if let Ok(d) = text.parse::<Date>() {
        return TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()
            .map(Timestamp::as_millisecond);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_and_epoch() {
        assert_eq!(parse_date_millis("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date_millis("1970-01-01T00:00:01Z"), Some(1_000));
        assert_eq!(parse_date_millis("1970-01-01T00:00:01"), Some(1_000));
        assert_eq!(parse_date_millis("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date_millis("1700000000"), Some(1_700_000_000_000));
        assert_eq!(parse_date_millis("1.5"), Some(1_500));
        assert_eq!(parse_date_millis("yesterday"), None);
        assert_eq!(parse_date_millis(""), None);
        assert_eq!(parse_date_millis("2020-13-01"), None);
    }
}
