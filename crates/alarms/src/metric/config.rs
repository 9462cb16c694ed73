//! Metric-alarm settings (PutMetricAlarm's evaluation fields) and the datapoint input.

use std::fmt;
use std::str::FromStr;

/// A setting value outside its enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for {field}")]
pub struct ParseError {
    pub field: &'static str,
    pub value: String,
}

macro_rules! wire_enum {
    ($name:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, ParseError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(ParseError { field: $field, value: other.to_owned() }),
                }
            }
        }
    };
}

/// `ComparisonOperator`, including the anomaly-detection band operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComparisonOperator {
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
    LessThanLowerOrGreaterThanUpperThreshold,
    LessThanLowerThreshold,
    GreaterThanUpperThreshold,
}

wire_enum!(ComparisonOperator, "ComparisonOperator", {
    GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
    GreaterThanThreshold => "GreaterThanThreshold",
    LessThanThreshold => "LessThanThreshold",
    LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
    LessThanLowerOrGreaterThanUpperThreshold => "LessThanLowerOrGreaterThanUpperThreshold",
    LessThanLowerThreshold => "LessThanLowerThreshold",
    GreaterThanUpperThreshold => "GreaterThanUpperThreshold",
});

impl ComparisonOperator {
    /// Whether the operator compares against a per-point band (anomaly detection).
    pub fn is_band(self) -> bool {
        matches!(
            self,
            Self::LessThanLowerOrGreaterThanUpperThreshold
                | Self::LessThanLowerThreshold
                | Self::GreaterThanUpperThreshold
        )
    }

    /// Whether `point` breaches. `None` when the point cannot be compared (a band operator
    /// without the band's bounds for that timestamp): such a point counts as missing.
    pub fn breaches(self, threshold: f64, point: &Datapoint) -> Option<bool> {
        let v = point.value;
        Some(match self {
            Self::GreaterThanOrEqualToThreshold => v >= threshold,
            Self::GreaterThanThreshold => v > threshold,
            Self::LessThanThreshold => v < threshold,
            Self::LessThanOrEqualToThreshold => v <= threshold,
            Self::LessThanLowerOrGreaterThanUpperThreshold => v < point.lower? || v > point.upper?,
            Self::LessThanLowerThreshold => v < point.lower?,
            Self::GreaterThanUpperThreshold => v > point.upper?,
        })
    }

    /// The phrase used in StateReason ("greater than", …). Band operators are phrased by
    /// [`crate::reason`] itself.
    pub fn phrase(self) -> &'static str {
        match self {
            Self::GreaterThanOrEqualToThreshold => "greater than or equal to",
            Self::GreaterThanThreshold => "greater than",
            Self::LessThanThreshold => "less than",
            Self::LessThanOrEqualToThreshold => "less than or equal to",
            Self::LessThanLowerOrGreaterThanUpperThreshold => {
                "less than the lower thresholds or greater than the upper thresholds"
            }
            Self::LessThanLowerThreshold => "less than the lower thresholds",
            Self::GreaterThanUpperThreshold => "greater than the upper thresholds",
        }
    }
}

/// `TreatMissingData`; `missing` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TreatMissingData {
    #[default]
    Missing,
    Ignore,
    Breaching,
    NotBreaching,
}

wire_enum!(TreatMissingData, "TreatMissingData", {
    Missing => "missing",
    Ignore => "ignore",
    Breaching => "breaching",
    NotBreaching => "notBreaching",
});

/// `EvaluateLowSampleCountPercentile`; `evaluate` is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LowSampleCount {
    #[default]
    Evaluate,
    Ignore,
}

wire_enum!(LowSampleCount, "EvaluateLowSampleCountPercentile", {
    Evaluate => "evaluate",
    Ignore => "ignore",
});

/// The evaluation-relevant settings of a metric alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAlarmConfig {
    /// `Period` in seconds (10, 20, 30 or a multiple of 60; validated by the API layer).
    pub period_s: u32,
    /// `EvaluationPeriods` (N), ≥ 1.
    pub evaluation_periods: u32,
    /// `DatapointsToAlarm` (M, 1 ≤ M ≤ N); `None` means M = N and the classic reason wording.
    pub datapoints_to_alarm: Option<u32>,
    /// `Threshold`; unused (and `None`) for the band operators.
    pub threshold: Option<f64>,
    pub comparison: ComparisonOperator,
    pub treat_missing_data: TreatMissingData,
    pub evaluate_low_sample_count: LowSampleCount,
    /// `Statistic` or `ExtendedStatistic` as given (`Average`, `p99`, …); `None` for
    /// metric-math alarms. Shown as `statistic` in StateReasonData.
    pub statistic: Option<String>,
}

impl MetricAlarmConfig {
    /// N, at least 1.
    pub fn n(&self) -> usize {
        self.evaluation_periods.max(1) as usize
    }

    /// M, clamped to 1..=N.
    pub fn m(&self) -> usize {
        let n = self.n();
        self.datapoints_to_alarm
            .map_or(n, |m| (m as usize).clamp(1, n))
    }

    /// The period in milliseconds, at least 1.
    pub fn period_ms(&self) -> i64 {
        i64::from(self.period_s.max(1)) * 1000
    }
}

/// One aggregated datapoint of the alarm's metric (or expression) for one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Datapoint {
    /// Start of the period, epoch milliseconds.
    pub timestamp_ms: i64,
    pub value: f64,
    /// Samples aggregated into the value (drives the low-sample percentile rule).
    pub sample_count: Option<f64>,
    /// Anomaly-detection band at this timestamp (band operators only).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl Datapoint {
    /// A plain datapoint.
    pub fn new(timestamp_ms: i64, value: f64) -> Self {
        Datapoint {
            timestamp_ms,
            value,
            sample_count: None,
            lower: None,
            upper: None,
        }
    }
}

/// The percentile of a `pNN(.N)` extended statistic, as a fraction in `0..=1`.
pub fn percentile_of(statistic: &str) -> Option<f64> {
    let p: f64 = statistic.strip_prefix('p')?.parse().ok()?;
    (0.0..=100.0).contains(&p).then_some(p / 100.0)
}

/// The sample count below which a percentile is "low sample": `10/(1-p)` for p in [0.5, 1),
/// `10/p` for p in (0, 0.5). `None` for p = 0 or 1, where the docs define no rule.
pub fn low_sample_threshold(p: f64) -> Option<f64> {
    if (0.5..1.0).contains(&p) {
        Some(10.0 / (1.0 - p))
    } else if p > 0.0 && p < 0.5 {
        Some(10.0 / p)
    } else {
        None
    }
}
