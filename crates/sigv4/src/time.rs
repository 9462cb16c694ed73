//! Minimal UTC date handling for SigV4: the ISO-8601 "basic format" timestamps
//! (`20150830T123600Z`) used by `X-Amz-Date`, and the IMF-fixdate form
//! (`Sun, 30 Aug 2015 12:36:00 GMT`) that a `Date` header may carry.
//!
//! Only proleptic-Gregorian UTC arithmetic is needed, so this is done by hand
//! (days-from-civil / civil-from-days) rather than pulling in a date crate.

/// Length of an ISO-8601 basic-format timestamp, `YYYYMMDDTHHMMSSZ`.
pub(crate) const AMZ_DATE_LEN: usize = 16;

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Proleptic Gregorian `(year, month, day)` for a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // `day` and `month` are within u32 range by construction.
    (year, month as u32, day as u32)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses `n` ASCII digits starting at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at + n)?;
    let mut v: u32 = 0;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Seconds since the Unix epoch for validated calendar fields.
fn to_unix(year: i64, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> Option<i64> {
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec))
}

/// Parses an ISO-8601 basic-format UTC timestamp (`YYYYMMDDTHHMMSSZ`) into
/// seconds since the Unix epoch. Anything else (extended format, fractions,
/// offsets, out-of-range fields) is rejected.
pub(crate) fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != AMZ_DATE_LEN || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    to_unix(
        i64::from(digits(b, 0, 4)?),
        digits(b, 4, 2)?,
        digits(b, 6, 2)?,
        digits(b, 9, 2)?,
        digits(b, 11, 2)?,
        digits(b, 13, 2)?,
    )
}

/// Parses an IMF-fixdate (RFC 7231 §7.1.1.1), e.g. `Sun, 30 Aug 2015 12:36:00 GMT`.
/// The day name is checked for shape only.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let b = s.as_bytes();
    if b.len() != 29
        || !b[..3].iter().all(u8::is_ascii_alphabetic)
        || &b[3..5] != b", "
        || b[7] != b' '
        || b[11] != b' '
        || b[16] != b' '
        || b[19] != b':'
        || b[22] != b':'
        || &b[25..] != b" GMT"
    {
        return None;
    }
    let month = MONTHS.iter().position(|m| m[..] == b[8..11])? as u32 + 1;
    to_unix(
        i64::from(digits(b, 12, 4)?),
        month,
        digits(b, 5, 2)?,
        digits(b, 17, 2)?,
        digits(b, 20, 2)?,
        digits(b, 23, 2)?,
    )
}

/// Parses a `Date`/`X-Amz-Date` value: ISO-8601 basic format first, then IMF-fixdate.
pub(crate) fn parse_any_date(s: &str) -> Option<i64> {
    parse_amz_date(s).or_else(|| parse_http_date(s))
}

/// Formats seconds since the Unix epoch as `YYYYMMDDTHHMMSSZ`.
///
/// Years outside `0..=9999` cannot be represented in this format; they are
/// clamped, which only matters for nonsense clocks.
pub(crate) fn format_amz_date(unix: i64) -> [u8; AMZ_DATE_LEN] {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let year = year.clamp(0, 9999) as u32;
    let (h, m, s) = (
        (secs / 3600) as u32,
        ((secs / 60) % 60) as u32,
        (secs % 60) as u32,
    );
    let mut out = *b"00000000T000000Z";
    put(&mut out, 0, year, 4);
    put(&mut out, 4, month, 2);
    put(&mut out, 6, day, 2);
    put(&mut out, 9, h, 2);
    put(&mut out, 11, m, 2);
    put(&mut out, 13, s, 2);
    out
}

fn put(out: &mut [u8], at: usize, mut v: u32, width: usize) {
    for i in (0..width).rev() {
        out[at + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// [`format_amz_date`] as a `&str` in a caller-provided buffer.
pub(crate) fn amz_date_str(buf: &[u8; AMZ_DATE_LEN]) -> &str {
    // Only ASCII digits, 'T' and 'Z' are ever written.
    std::str::from_utf8(buf).unwrap_or("00000000T000000Z")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_known_values() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(
            amz_date_str(&format_amz_date(1_440_938_160)),
            "20150830T123600Z"
        );
        assert_eq!(parse_amz_date("20000229T235959Z"), Some(951_868_799));
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_any_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(1_440_938_160)
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20150230T123600Z",
            "20190229T000000Z",
            "20151330T123600Z",
            "20150830T243600Z",
            "20150830T126000Z",
            "2015083OT123600Z",
            "20150830t123600z",
            "+0150830T123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
        assert_eq!(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"), None);
        assert_eq!(parse_http_date("Sun, 30 Aug 2015 12:36:00 UTC"), None);
    }

    #[test]
    fn every_day_round_trips() {
        // 1900..2200 covers leap-century rules.
        let start = days_from_civil(1900, 1, 1);
        let end = days_from_civil(2200, 1, 1);
        for d in start..end {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
            let unix = d * 86_400 + 3661;
            let s = format_amz_date(unix);
            assert_eq!(parse_amz_date(amz_date_str(&s)), Some(unix));
        }
    }
}
