//! StateReason text and StateReasonData JSON, in the shapes CloudWatch writes.
//!
//! Text: `Threshold Crossed: 3 out of the last 3 datapoints [5.0 (29/11/26 10:00:00), …] were
//! greater than the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).`; the
//! classic form (no DatapointsToAlarm) `Threshold Crossed: 1 datapoint [0.0 (…)] was not greater
//! than the threshold (1.0).`; filled periods `… and 2 missing datapoints were treated as
//! [Breaching]`; nothing received `Threshold Crossed: no datapoints were received for 3 periods
//! and 3 missing datapoints were treated as [Breaching].`; `Insufficient Data: 3 datapoints were
//! unknown.` Data: `{"version":"1.0","queryDate":…,"startDate":…,"statistic":…,"period":…,
//! "recentDatapoints":[…],"threshold":…,"evaluatedDatapoints":[{"timestamp":…,"sampleCount":…,
//! "value":…}]}`.

use serde::Serialize;

use crate::metric::{ComparisonOperator, MetricAlarmConfig, TreatMissingData, Verdict};
use crate::state::AlarmState;
use crate::time::{iso_time, reason_time};

/// A number as CloudWatch prints it (Java's `Double.toString`): `1.0`, `0.5`, `1.0E7`.
pub fn fmt_number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        if v.fract() == 0.0 {
            format!("{v:.1}")
        } else {
            format!("{v}")
        }
    } else {
        let s = format!("{v:E}");
        match s.split_once('E') {
            Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0E{exp}"),
            _ => s,
        }
    }
}

fn plural(k: usize, one: &'static str, many: &'static str) -> &'static str {
    if k == 1 { one } else { many }
}

/// The comparison clause: `greater than the threshold (1.0)`, `not less than the lower
/// thresholds [1.0] …` for bands (bounds of the listed points).
fn comparison_clause(
    config: &MetricAlarmConfig,
    negate: bool,
    verdict: &Verdict,
    to_alarm: bool,
) -> String {
    let not = if negate { "not " } else { "" };
    let op = config.comparison;
    if !op.is_band() {
        let t = fmt_number(config.threshold.unwrap_or(0.0));
        return format!("{not}{} the threshold ({t})", op.phrase());
    }
    let listed = verdict
        .evaluated
        .iter()
        .filter_map(|e| e.point.filter(|_| e.breaching == to_alarm));
    let bounds = |f: fn(&crate::metric::Datapoint) -> Option<f64>| {
        let items: Vec<String> = listed
            .clone()
            .filter_map(|p| f(&p))
            .map(fmt_number)
            .collect();
        format!("[{}]", items.join(", "))
    };
    match op {
        ComparisonOperator::LessThanLowerThreshold => {
            format!(
                "{not}less than the lower thresholds {}",
                bounds(|p| p.lower)
            )
        }
        ComparisonOperator::GreaterThanUpperThreshold => {
            format!(
                "{not}greater than the upper thresholds {}",
                bounds(|p| p.upper)
            )
        }
        _ => format!(
            "{not}less than the lower thresholds {} or greater than the upper thresholds {}",
            bounds(|p| p.lower),
            bounds(|p| p.upper)
        ),
    }
}

/// StateReason for a transition from `from` to `verdict.state`.
pub fn reason_text(config: &MetricAlarmConfig, from: AlarmState, verdict: &Verdict) -> String {
    let to = verdict.state;
    if to == AlarmState::InsufficientData {
        let u = verdict.unknown.max(1);
        return format!(
            "Insufficient Data: {u} {} {} unknown.",
            plural(u, "datapoint", "datapoints"),
            plural(u, "was", "were")
        );
    }
    let to_alarm = to == AlarmState::Alarm;
    let existing = verdict
        .evaluated
        .iter()
        .filter(|e| e.point.is_some())
        .count();
    let listed: Vec<String> = verdict
        .evaluated
        .iter()
        .filter(|e| e.breaching == to_alarm)
        .filter_map(|e| e.point.map(|p| (p.value, e.timestamp_ms)))
        .map(|(v, ts)| format!("{} ({})", fmt_number(v), reason_time(ts)))
        .collect();
    let k = listed.len();
    let f = verdict.filled;
    let treated = if config.treat_missing_data == TreatMissingData::Breaching {
        "Breaching"
    } else {
        "NonBreaching"
    };
    let fill_clause = format!(
        "{f} missing {} {} treated as [{treated}]",
        plural(f, "datapoint", "datapoints"),
        plural(f, "was", "were")
    );
    if existing == 0 && f > 0 {
        return format!(
            "Threshold Crossed: no datapoints were received for {f} {} and {fill_clause}.",
            plural(f, "period", "periods")
        );
    }
    let clause = comparison_clause(config, !to_alarm, verdict, to_alarm);
    let fill = if f > 0 {
        format!(" and {fill_clause}")
    } else {
        String::new()
    };
    let list = listed.join(", ");
    let verb = plural(k, "was", "were");
    if config.datapoints_to_alarm.is_none() {
        let noun = plural(k, "datapoint", "datapoints");
        return format!("Threshold Crossed: {k} {noun} [{list}] {verb} {clause}{fill}.");
    }
    let (n, m) = (config.n(), config.m());
    let minimum = if to_alarm { m } else { n - m + 1 };
    format!(
        "Threshold Crossed: {k} out of the last {existing} {} [{list}] {verb} {clause}{fill} \
         (minimum {minimum} {} for {from} -> {to} transition).",
        plural(existing, "datapoint", "datapoints"),
        plural(minimum, "datapoint", "datapoints"),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReasonData<'a> {
    version: &'static str,
    query_date: String,
    start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistic: Option<&'a str>,
    period: u32,
    recent_datapoints: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recent_lower_thresholds: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recent_upper_thresholds: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<f64>,
    evaluated_datapoints: Vec<EvaluatedData>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EvaluatedData {
    timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample_count: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
}

/// StateReasonData (JSON text) for `verdict`, queried at `now_ms`.
pub fn reason_data(config: &MetricAlarmConfig, verdict: &Verdict, now_ms: i64) -> String {
    let start = verdict
        .evaluated
        .last()
        .map_or(verdict.range_start_ms, |e| e.timestamp_ms);
    let chronological = verdict.recent.iter().rev();
    let band = config.comparison.is_band();
    let data = ReasonData {
        version: "1.0",
        query_date: iso_time(now_ms),
        start_date: iso_time(start),
        statistic: config.statistic.as_deref(),
        period: config.period_s,
        recent_datapoints: chronological.clone().map(|p| p.value).collect(),
        recent_lower_thresholds: band
            .then(|| chronological.clone().filter_map(|p| p.lower).collect()),
        recent_upper_thresholds: band
            .then(|| chronological.clone().filter_map(|p| p.upper).collect()),
        threshold: if band {
            None
        } else {
            Some(config.threshold.unwrap_or(0.0))
        },
        evaluated_datapoints: verdict
            .evaluated
            .iter()
            .map(|e| EvaluatedData {
                timestamp: iso_time(e.timestamp_ms),
                sample_count: e.point.and_then(|p| p.sample_count),
                value: e.point.map(|p| p.value),
            })
            .collect(),
    };
    serde_json::to_string(&data).unwrap_or_default()
}
