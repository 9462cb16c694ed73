//! Anomaly-detection alarms: PutMetricAlarm's rules for `ThresholdMetricId` and the band
//! operators, and pairing each datapoint with the band at its timestamp.
//!
//! An anomaly-detection alarm is a metric-math alarm whose `Metrics` hold the evaluated metric
//! (or expression, `ReturnData` true) and an `ANOMALY_DETECTION_BAND(id[, stddevs])` expression
//! named by `ThresholdMetricId`; it has no `Threshold`, and its comparison operator is one of
//! `LessThanLowerOrGreaterThanUpperThreshold`, `LessThanLowerThreshold`,
//! `GreaterThanUpperThreshold`. Each datapoint is compared with the band's bounds at the same
//! timestamp; a datapoint without a band there counts as missing.

use super::{ComparisonOperator, Datapoint};

/// Whether `expression` is an `ANOMALY_DETECTION_BAND(…)` call; its first argument if so.
pub fn band_argument(expression: &str) -> Option<&str> {
    let e = expression.trim();
    let head = e.get(..22)?;
    if !head.eq_ignore_ascii_case("ANOMALY_DETECTION_BAND") {
        return None;
    }
    let rest = e[22..].trim_start().strip_prefix('(')?.strip_suffix(')')?;
    Some(rest.split(',').next().unwrap_or_default().trim())
}

/// One query of an alarm's `Metrics`, as the band rules see it.
#[derive(Debug, Clone, Copy)]
pub struct QueryRef<'a> {
    pub id: &'a str,
    pub expression: Option<&'a str>,
    pub return_data: bool,
}

/// A broken band rule: the AWS error code (`InvalidParameterCombination`,
/// `InvalidParameterValue`, `MissingParameter`) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandRuleError {
    pub code: &'static str,
    pub message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> BandRuleError {
    BandRuleError {
        code,
        message: message.into(),
    }
}

/// Checks `ThresholdMetricId`, `Threshold` and the operator together. With a
/// `threshold_metric_id`: the operator must be a band operator, `Threshold` absent, `Metrics`
/// given, and the id must name an `ANOMALY_DETECTION_BAND` expression of `Metrics` whose
/// argument is the one other query that returns data. Without one: a band operator is refused
/// and `Threshold` is required.
pub fn check_band_rules(
    op: ComparisonOperator,
    threshold: Option<f64>,
    threshold_metric_id: Option<&str>,
    metrics: &[QueryRef<'_>],
) -> Result<(), BandRuleError> {
    let Some(tid) = threshold_metric_id else {
        if op.is_band() {
            return Err(err(
                "InvalidParameterCombination",
                format!("ComparisonOperator {op} can only be used with ThresholdMetricId."),
            ));
        }
        if threshold.is_none() {
            return Err(err(
                "MissingParameter",
                "The parameter Threshold is required.",
            ));
        }
        return Ok(());
    };
    if !op.is_band() {
        return Err(err(
            "InvalidParameterCombination",
            format!(
                "ComparisonOperator {op} cannot be used with ThresholdMetricId; use LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold or GreaterThanUpperThreshold."
            ),
        ));
    }
    if threshold.is_some() {
        return Err(err(
            "InvalidParameterCombination",
            "Threshold cannot be specified together with ThresholdMetricId.",
        ));
    }
    if metrics.is_empty() {
        return Err(err(
            "InvalidParameterCombination",
            "ThresholdMetricId can only be used with Metrics.",
        ));
    }
    let Some(band) = metrics.iter().find(|q| q.id == tid) else {
        return Err(err(
            "InvalidParameterValue",
            format!("ThresholdMetricId {tid} does not name an element of Metrics."),
        ));
    };
    let Some(arg) = band.expression.and_then(band_argument) else {
        return Err(err(
            "InvalidParameterValue",
            format!(
                "The element {tid} of Metrics named by ThresholdMetricId must be an ANOMALY_DETECTION_BAND expression."
            ),
        ));
    };
    let returning: Vec<&QueryRef<'_>> = metrics
        .iter()
        .filter(|q| q.return_data && q.id != tid)
        .collect();
    let [evaluated] = returning[..] else {
        return Err(err(
            "InvalidParameterValue",
            "Exactly one element of the metrics list other than the ThresholdMetricId should return data.",
        ));
    };
    if evaluated.id != arg {
        return Err(err(
            "InvalidParameterValue",
            format!(
                "The ANOMALY_DETECTION_BAND of {tid} must be computed on {}, the element of Metrics that returns data.",
                evaluated.id
            ),
        ));
    }
    Ok(())
}

/// The alarm's datapoints with the band's bounds at each timestamp (`None` where the band has
/// no value). All three inputs are `(timestamp ms, value)`.
pub fn with_band(
    points: &[(i64, f64)],
    lower: &[(i64, f64)],
    upper: &[(i64, f64)],
) -> Vec<Datapoint> {
    let at = |s: &[(i64, f64)], t: i64| s.binary_search_by_key(&t, |p| p.0).ok().map(|i| s[i].1);
    points
        .iter()
        .map(|(t, v)| Datapoint {
            lower: at(lower, *t),
            upper: at(upper, *t),
            ..Datapoint::new(*t, *v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Evaluation;
    use crate::metric::{MetricAlarmConfig, TreatMissingData, evaluate};
    use crate::state::AlarmState;

    fn q<'a>(id: &'a str, expression: Option<&'a str>, return_data: bool) -> QueryRef<'a> {
        QueryRef {
            id,
            expression,
            return_data,
        }
    }

    #[test]
    fn band_argument_reads_the_call() {
        assert_eq!(band_argument("ANOMALY_DETECTION_BAND(m1, 2)"), Some("m1"));
        assert_eq!(band_argument(" anomaly_detection_band (m1)"), Some("m1"));
        assert_eq!(band_argument("m1 * 2"), None);
        assert_eq!(band_argument("ANOMALY_DETECTION_BAND"), None);
    }

    #[test]
    fn rules() {
        use ComparisonOperator::*;
        const COMBINATION: Result<(), &str> = Err("InvalidParameterCombination");
        const VALUE: Result<(), &str> = Err("InvalidParameterValue");
        let metrics: &[QueryRef<'_>] = &[
            q("m1", None, true),
            q("ad1", Some("ANOMALY_DETECTION_BAND(m1, 2)"), true),
        ];
        let other: &[QueryRef<'_>] = &[
            q("m1", None, true),
            q("m2", None, false),
            q("ad1", Some("ANOMALY_DETECTION_BAND(m2)"), true),
        ];
        let none: &[QueryRef<'_>] = &[];
        #[rustfmt::skip]
        let cases = [
            (GreaterThanUpperThreshold, None, Some("ad1"), metrics, Ok(())),
            (GreaterThanUpperThreshold, None, None, metrics, COMBINATION),
            (GreaterThanThreshold, None, Some("ad1"), metrics, COMBINATION),
            (LessThanLowerThreshold, Some(1.0), Some("ad1"), metrics, COMBINATION),
            (LessThanLowerThreshold, None, Some("m1"), metrics, VALUE),
            (LessThanLowerThreshold, None, Some("zz"), metrics, VALUE),
            (LessThanLowerThreshold, None, Some("ad1"), none, COMBINATION),
            (LessThanLowerThreshold, None, Some("ad1"), other, VALUE),
            (GreaterThanThreshold, None, None, none, Err("MissingParameter")),
            (GreaterThanThreshold, Some(1.0), None, none, Ok(())),
        ];
        for (op, threshold, band_id, queries, want) in cases {
            let got = check_band_rules(op, threshold, band_id, queries).map_err(|e| e.code);
            assert_eq!(got, want, "{op:?} {threshold:?} {band_id:?}");
        }
    }

    #[test]
    fn datapoints_are_compared_with_the_band_at_their_timestamp() {
        let config = MetricAlarmConfig {
            period_s: 60,
            evaluation_periods: 2,
            datapoints_to_alarm: None,
            threshold: None,
            comparison: ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold,
            treat_missing_data: TreatMissingData::Missing,
            evaluate_low_sample_count: Default::default(),
            statistic: None,
        };
        let now = 1_767_225_600_000 + 10 * 60_000;
        let ts = |i: i64| now - (3 - i) * 60_000;
        let lower = [(ts(0), 5.0), (ts(1), 5.0), (ts(2), 5.0)];
        let upper = [(ts(0), 15.0), (ts(1), 15.0), (ts(2), 15.0)];
        // Inside the band: OK.
        let inside = with_band(&[(ts(1), 10.0), (ts(2), 12.0)], &lower, &upper);
        let Evaluation::Transition(t) =
            evaluate(&config, AlarmState::InsufficientData, &inside, now)
        else {
            panic!("no transition")
        };
        assert_eq!(t.to, AlarmState::Ok);
        // Above, then below: both outside, ALARM with the bounds in the reason.
        let outside = with_band(&[(ts(1), 20.0), (ts(2), 1.0)], &lower, &upper);
        let Evaluation::Transition(t) = evaluate(&config, AlarmState::Ok, &outside, now) else {
            panic!("no transition")
        };
        assert_eq!(t.to, AlarmState::Alarm);
        assert!(t.reason.contains("thresholds"), "{}", t.reason);
        assert!(
            t.reason_data.contains("recentUpperThresholds"),
            "{}",
            t.reason_data
        );
        // Only above counts for GreaterThanUpperThreshold.
        let upper_only = MetricAlarmConfig {
            comparison: ComparisonOperator::GreaterThanUpperThreshold,
            evaluation_periods: 1,
            ..config.clone()
        };
        let below = with_band(&[(ts(2), 1.0)], &lower, &upper);
        let Evaluation::Transition(t) = evaluate(&upper_only, AlarmState::Alarm, &below, now)
        else {
            panic!("no transition")
        };
        assert_eq!(t.to, AlarmState::Ok);
        // Without a band at the timestamp, the point is missing.
        let no_band = with_band(&[(ts(2), 20.0)], &[], &[]);
        assert_eq!(no_band[0].upper, None);
        assert!(matches!(
            evaluate(&upper_only, AlarmState::Alarm, &no_band, now),
            Evaluation::Transition(t) if t.to == AlarmState::InsufficientData
        ));
    }
}
