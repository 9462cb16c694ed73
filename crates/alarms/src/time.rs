//! Timestamp formatting for reasons (`dd/MM/yy HH:mm:ss`) and reason data (`…T…+0000`), UTC.

/// Splits epoch milliseconds into (year, month, day, hour, minute, second, millisecond), UTC.
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Days since 1970-01-01 to a proleptic Gregorian date (era-based algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = rem / 1000;
    (
        year,
        month as u32,
        day as u32,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        (rem % 1000) as u32,
    )
}

/// `29/11/26 10:00:00`, the form used inside StateReason.
pub(crate) fn reason_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(ms);
    format!(
        "{d:02}/{mo:02}/{:02} {h:02}:{mi:02}:{s:02}",
        y.rem_euclid(100)
    )
}

/// `2026-11-29T10:00:00.000+0000`, the form used inside StateReasonData.
pub(crate) fn iso_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}+0000")
}

/// `Sunday 29 November, 2026 10:00:00 UTC`, the form of composite-alarm reasons.
pub(crate) fn long_time(ms: i64) -> String {
    const DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (y, mo, d, h, mi, s, _) = civil(ms);
    let weekday = DAYS[ms.div_euclid(86_400_000).rem_euclid(7) as usize];
    let month = MONTHS[(mo as usize).saturating_sub(1) % 12];
    format!("{weekday} {d:02} {month}, {y} {h:02}:{mi:02}:{s:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2022-11-08T11:26:05.399Z
        let ms = 1_667_906_765_399;
        assert_eq!(iso_time(ms), "2022-11-08T11:26:05.399+0000");
        assert_eq!(reason_time(ms), "08/11/22 11:26:05");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000+0000");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00.000+0000");
        assert_eq!(
            long_time(1_795_946_400_000),
            "Sunday 29 November, 2026 10:00:00 UTC"
        );
    }
}
