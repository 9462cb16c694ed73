//! Dynamic labels of GetMetricData (the CloudWatch user guide's "Use dynamic labels"): a
//! query's `Label` may hold `${…}` placeholders, filled in per returned series (so a SEARCH or
//! Metrics Insights query gets one label per series):
//!
//! - statistics of the series' datapoints in the requested range: `${AVG}`, `${MAX}`, `${MIN}`,
//!   `${SUM}`, `${FIRST}` (oldest value), `${LAST}` (newest), `${FIRST_LAST_RANGE}` (newest −
//!   oldest), `${MIN_MAX_RANGE}` (max − min), `${DATAPOINT_COUNT}`;
//! - times: `${FIRST_TIME}`, `${LAST_TIME}`, `${MIN_TIME}`, `${MAX_TIME}` (timestamp of the first
//!   datapoint holding the minimum / maximum), rendered `YYYY-MM-DDTHH:MM:SS±HH:MM` in
//!   `LabelOptions.Timezone`; `${…_TIME_RELATIVE}` (now − that time) and
//!   `${FIRST_LAST_TIME_RANGE}`, `${MIN_MAX_TIME_RANGE}` as durations (`1d 2h 3m 4s`, zero units
//!   left out, `0s` for none);
//! - `${LABEL}` (the label the series would have without `Label`) and the properties
//!   `${PROP('MetricName')}`, `${PROP('Namespace')}`, `${PROP('Dim.<name>')}`, `${PROP('Stat')}`,
//!   `${PROP('Period')}` (seconds), `${PROP('Region')}`, `${PROP('AccountId')}`,
//!   `${PROP('AccountLabel')}` (no cross-account labels here: empty).
//!
//! A property the series does not have (an expression has no namespace; a dimension it lacks)
//! renders empty, as does a value statistic of a series without datapoints. Anything else in
//! `${…}` is left as written. Numbers print in their shortest exact decimal form (`12.5`, `3`).

use crate::math::civil_from_days;

/// `LabelOptions` of GetMetricData: the offset time-valued labels render in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelOptions {
    /// Minutes east of UTC (`+0130` → 90).
    pub timezone_minutes: i32,
}

impl LabelOptions {
    /// Parses `LabelOptions.Timezone`: `+` or `-` then four digits, hours (00–23) and minutes
    /// (00–59). `None` if it is not of that form.
    pub fn parse_timezone(tz: &str) -> Option<LabelOptions> {
        let b = tz.as_bytes();
        if b.len() != 5 || !b[1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sign = match b[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let num = |i: usize| i32::from(b[i] - b'0') * 10 + i32::from(b[i + 1] - b'0');
        let (h, m) = (num(1), num(3));
        (h < 24 && m < 60).then_some(LabelOptions {
            timezone_minutes: sign * (h * 60 + m),
        })
    }
}

/// What a returned series is, for `${PROP(…)}`. Empty strings for what it does not have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesProps {
    pub namespace: String,
    pub metric_name: String,
    /// Dimensions as (name, value).
    pub dimensions: Vec<(String, String)>,
    pub stat: String,
    /// Seconds; 0 if unknown.
    pub period_s: i64,
}

/// Where a label is rendered: the caller's account and region, the time "now", the options.
#[derive(Debug, Clone, Copy)]
pub struct LabelContext<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub now: i64,
    pub options: LabelOptions,
}

/// Renders `template` for one series: `default_label` is its label without `Label`, `points`
/// its datapoints in ascending time.
pub fn render(
    template: &str,
    default_label: &str,
    props: &SeriesProps,
    points: &[(i64, f64)],
    ctx: &LabelContext<'_>,
) -> String {
    if !template.contains("${") {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let name = &after[..end];
        match value(name, default_label, props, points, ctx) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[at..at + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Shortest exact decimal form of a finite value.
pub fn format_number(v: f64) -> String {
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` of a millisecond timestamp shifted by `offset_min`.
pub fn format_time(ms: i64, offset_min: i32) -> String {
    let local = ms.div_euclid(1000) + i64::from(offset_min) * 60;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.unsigned_abs();
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

/// `1d 2h 3m 4s` of a millisecond span (its absolute value, whole seconds).
pub fn format_duration(ms: i64) -> String {
    let mut s = ms.unsigned_abs() / 1000;
    if s == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= n {
            parts.push(format!("{}{unit}", s / n));
            s %= n;
        }
    }
    parts.join(" ")
}

/// The value of one placeholder, or `None` if it is not a documented one.
fn value(
    name: &str,
    default_label: &str,
    props: &SeriesProps,
    points: &[(i64, f64)],
    ctx: &LabelContext<'_>,
) -> Option<String> {
    if let Some(prop) = prop_name(name) {
        return Some(match prop {
            "MetricName" => props.metric_name.clone(),
            "Namespace" => props.namespace.clone(),
            "Stat" => props.stat.clone(),
            "Period" if props.period_s > 0 => props.period_s.to_string(),
            "Period" => String::new(),
            "Region" => ctx.region.to_owned(),
            "AccountId" => ctx.account.to_owned(),
            "AccountLabel" => String::new(),
            other => {
                let dim = other.strip_prefix("Dim.")?;
                props
                    .dimensions
                    .iter()
                    .find(|(n, _)| n == dim)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            }
        });
    }
    let first = points.first().copied();
    let last = points.last().copied();
    // First datapoint holding the extreme value.
    let extreme = |better: fn(f64, f64) -> bool| {
        points
            .iter()
            .copied()
            .reduce(|a, b| if better(b.1, a.1) { b } else { a })
    };
    let min = extreme(|b, a| b < a);
    let max = extreme(|b, a| b > a);
    let num = |v: Option<f64>| v.map(format_number).unwrap_or_default();
    let time = |p: Option<(i64, f64)>| {
        p.map(|(t, _)| format_time(t, ctx.options.timezone_minutes))
            .unwrap_or_default()
    };
    let relative = |p: Option<(i64, f64)>| {
        p.map(|(t, _)| format_duration(ctx.now - t))
            .unwrap_or_default()
    };
    let span = |a: Option<(i64, f64)>, b: Option<(i64, f64)>| match (a, b) {
        (Some(a), Some(b)) => format_duration(b.0 - a.0),
        _ => String::new(),
    };
    let sum: f64 = points.iter().map(|p| p.1).sum();
    Some(match name {
        "LABEL" => default_label.to_owned(),
        "AVG" => num((!points.is_empty()).then(|| sum / points.len() as f64)),
        "SUM" => num((!points.is_empty()).then_some(sum)),
        "MIN" => num(min.map(|p| p.1)),
        "MAX" => num(max.map(|p| p.1)),
        "FIRST" => num(first.map(|p| p.1)),
        "LAST" => num(last.map(|p| p.1)),
        "DATAPOINT_COUNT" => points.len().to_string(),
        "FIRST_LAST_RANGE" => num(first.zip(last).map(|(a, b)| b.1 - a.1)),
        "MIN_MAX_RANGE" => num(min.zip(max).map(|(a, b)| b.1 - a.1)),
        "FIRST_TIME" => time(first),
        "LAST_TIME" => time(last),
        "MIN_TIME" => time(min),
        "MAX_TIME" => time(max),
        "FIRST_TIME_RELATIVE" => relative(first),
        "LAST_TIME_RELATIVE" => relative(last),
        "MIN_TIME_RELATIVE" => relative(min),
        "MAX_TIME_RELATIVE" => relative(max),
        "FIRST_LAST_TIME_RANGE" => span(first, last),
        "MIN_MAX_TIME_RANGE" => span(min, max),
        _ => return None,
    })
}

/// `PROP('X')` (or `PROP("X")`) → `X`.
fn prop_name(name: &str) -> Option<&str> {
    let inner = name.strip_prefix("PROP(")?.strip_suffix(')')?;
    ['\'', '"'].iter().find_map(|q| {
        inner
            .strip_prefix(*q)
            .and_then(|s| s.strip_suffix(*q))
            .filter(|s| !s.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000;
    /// 2026-01-01T00:00:00Z.
    const T0: i64 = 1_767_225_600_000;

    fn ctx(tz: &str) -> LabelContext<'static> {
        LabelContext {
            account: "123456789012",
            region: "eu-west-1",
            now: T0 + 90 * M,
            options: LabelOptions::parse_timezone(tz).unwrap_or_else(|| panic!("{tz}")),
        }
    }

    fn props() -> SeriesProps {
        SeriesProps {
            namespace: "AWS/EC2".into(),
            metric_name: "CPUUtilization".into(),
            dimensions: vec![("InstanceId".into(), "i-1".into())],
            stat: "Average".into(),
            period_s: 300,
        }
    }

    /// Golden cases: template → label over the series 4, 9, 1, 6 at minutes 0, 5, 10, 15.
    #[test]
    fn golden_labels() {
        let pts = [
            (T0, 4.0),
            (T0 + 5 * M, 9.0),
            (T0 + 10 * M, 1.0),
            (T0 + 15 * M, 6.0),
        ];
        let cases = [
            ("plain", "+0000", "plain"),
            ("${AVG}|${SUM}|${MIN}|${MAX}", "+0000", "5|20|1|9"),
            ("${FIRST} ${LAST} ${DATAPOINT_COUNT}", "+0000", "4 6 4"),
            ("${FIRST_LAST_RANGE} ${MIN_MAX_RANGE}", "+0000", "2 8"),
            ("${FIRST_TIME}", "+0000", "2026-01-01T00:00:00+00:00"),
            ("${LAST_TIME}", "+0130", "2026-01-01T01:45:00+01:30"),
            ("${MIN_TIME}", "-0500", "2025-12-31T19:10:00-05:00"),
            ("${MAX_TIME}", "+0000", "2026-01-01T00:05:00+00:00"),
            ("${FIRST_TIME_RELATIVE}", "+0000", "1h 30m"),
            ("${LAST_TIME_RELATIVE}", "+0000", "1h 15m"),
            (
                "${MIN_TIME_RELATIVE}|${MAX_TIME_RELATIVE}",
                "+0000",
                "1h 20m|1h 25m",
            ),
            ("${FIRST_LAST_TIME_RANGE}", "+0000", "15m"),
            ("${MIN_MAX_TIME_RANGE}", "+0000", "5m"),
            (
                "[max: ${MAX} for ${LABEL}]",
                "+0000",
                "[max: 9 for CPU i-1]",
            ),
            (
                "${PROP('Dim.InstanceId')}/${PROP('Dim.Nope')}/",
                "+0000",
                "i-1//",
            ),
            (
                "${PROP('MetricName')} ${PROP('Namespace')}",
                "+0000",
                "CPUUtilization AWS/EC2",
            ),
            ("${PROP('Stat')} ${PROP('Period')}", "+0000", "Average 300"),
            (
                "${PROP('Region')} ${PROP('AccountId')}",
                "+0000",
                "eu-west-1 123456789012",
            ),
            ("${PROP(\"Namespace\")}", "+0000", "AWS/EC2"),
            (
                "${UNKNOWN} ${PROP('Other')} ${AVG",
                "+0000",
                "${UNKNOWN} ${PROP('Other')} ${AVG",
            ),
        ];
        for (template, tz, want) in cases {
            let got = render(template, "CPU i-1", &props(), &pts, &ctx(tz));
            assert_eq!(got, want, "{template} in {tz}");
        }
    }

    #[test]
    fn empty_series_and_fractions() {
        let got = render(
            "${AVG}|${DATAPOINT_COUNT}|${FIRST_TIME}",
            "x",
            &props(),
            &[],
            &ctx("+0000"),
        );
        assert_eq!(got, "|0|");
        let pts = [(T0, 1.0), (T0 + M, 2.0), (T0 + 2 * M, 2.0)];
        let got = render(
            "${AVG} ${MIN_MAX_RANGE}",
            "x",
            &props(),
            &pts,
            &ctx("+0000"),
        );
        assert_eq!(got, format!("{} 1", 5.0 / 3.0));
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e-7), "0.0000001");
        assert_eq!(format_duration(2 * 86_400_000 + 3_000), "2d 3s");
    }

    #[test]
    fn timezones_parse() {
        assert_eq!(
            LabelOptions::parse_timezone("+0130").map(|o| o.timezone_minutes),
            Some(90)
        );
        assert_eq!(
            LabelOptions::parse_timezone("-1000").map(|o| o.timezone_minutes),
            Some(-600)
        );
        for bad in [
            "0130", "+130", "+01:30", "+2400", "+0060", "UTC", "", "+01300",
        ] {
            assert_eq!(LabelOptions::parse_timezone(bad), None, "{bad}");
        }
    }
}
