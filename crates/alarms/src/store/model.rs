//! Stored alarm records, history items, the PutMetricAlarm request and its validation.

use serde::{Deserialize, Serialize};

use crate::metric::{ComparisonOperator, LowSampleCount, MetricAlarmConfig, TreatMissingData};
use crate::state::AlarmState;

use super::AlarmsError;
use super::checks::{
    check_actions, check_len, check_name_and_description, check_period, invalid, missing,
};

/// One element of a metric-math alarm's `Metrics` (a MetricDataQuery).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmQuery {
    pub id: String,
    /// Set for an expression; otherwise the query is a MetricStat.
    pub expression: Option<String>,
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<(String, String)>,
    pub stat: Option<String>,
    /// MetricStat.Period, or the expression's Period.
    pub period: Option<u32>,
    pub unit: Option<String>,
    pub label: Option<String>,
    pub return_data: bool,
}

/// A metric alarm as stored (one catalog record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub namespace: String,
    pub metric_name: String,
    /// `(name, value)`, as given.
    pub dimensions: Vec<(String, String)>,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    pub period: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: Option<u32>,
    pub threshold: f64,
    pub comparison_operator: String,
    pub treat_missing_data: Option<String>,
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub unit: Option<String>,
    pub tags: Vec<(String, String)>,
    /// `Metrics` of a metric-math alarm (empty for a single-metric alarm).
    #[serde(default)]
    pub metrics: Vec<AlarmQuery>,
    /// `ThresholdMetricId`: the `ANOMALY_DETECTION_BAND` query of an anomaly-detection alarm.
    #[serde(default)]
    pub threshold_metric_id: Option<String>,
    pub configuration_updated_ms: i64,
    pub state_value: String,
    pub state_reason: String,
    pub state_reason_data: Option<String>,
    pub state_updated_ms: i64,
    pub state_transitioned_ms: i64,
    /// The state before the last transition (suppression's extension period needs it).
    #[serde(default)]
    pub previous_state_value: Option<String>,
}

impl MetricAlarm {
    /// The current state.
    pub fn state(&self) -> AlarmState {
        self.state_value
            .parse()
            .unwrap_or(AlarmState::InsufficientData)
    }

    /// The statistic as the evaluator and the metrics engine name it.
    pub fn stat(&self) -> &str {
        self.statistic
            .as_deref()
            .or(self.extended_statistic.as_deref())
            .unwrap_or("Average")
    }

    /// The evaluator's view of this alarm.
    pub fn config(&self) -> MetricAlarmConfig {
        MetricAlarmConfig {
            period_s: self.period,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
            threshold: self.threshold_metric_id.is_none().then_some(self.threshold),
            comparison: self
                .comparison_operator
                .parse()
                .unwrap_or(ComparisonOperator::GreaterThanThreshold),
            treat_missing_data: self
                .treat_missing_data
                .as_deref()
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
            evaluate_low_sample_count: self
                .evaluate_low_sample_count_percentile
                .as_deref()
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
            statistic: self.metrics.is_empty().then(|| self.stat().to_owned()),
        }
    }

    /// Whether any action list names `prefix`-starting ARNs.
    pub fn has_action_prefix(&self, prefix: &str) -> bool {
        self.ok_actions
            .iter()
            .chain(&self.alarm_actions)
            .chain(&self.insufficient_data_actions)
            .any(|a| a.starts_with(prefix))
    }
}

/// `HistoryItemType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryItemType {
    ConfigurationUpdate,
    StateUpdate,
    Action,
}

impl HistoryItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigurationUpdate => "ConfigurationUpdate",
            Self::StateUpdate => "StateUpdate",
            Self::Action => "Action",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ConfigurationUpdate" => Some(Self::ConfigurationUpdate),
            "StateUpdate" => Some(Self::StateUpdate),
            "Action" => Some(Self::Action),
            _ => None,
        }
    }
}

/// One `AlarmHistoryItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub alarm_name: String,
    /// `MetricAlarm` or `CompositeAlarm`.
    pub alarm_type: String,
    pub timestamp_ms: i64,
    pub item_type: HistoryItemType,
    pub summary: String,
    /// `HistoryData` (JSON text).
    pub data: String,
}

/// PutMetricAlarm's members (single-metric alarms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutMetricAlarm {
    pub name: String,
    pub description: Option<String>,
    pub actions_enabled: Option<bool>,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    pub period: Option<i64>,
    pub evaluation_periods: Option<i64>,
    pub datapoints_to_alarm: Option<i64>,
    pub threshold: Option<f64>,
    pub comparison_operator: Option<String>,
    pub treat_missing_data: Option<String>,
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub unit: Option<String>,
    pub tags: Vec<(String, String)>,
    /// `Metrics` (metric-math alarms); exclusive with the single-metric members.
    pub metrics: Vec<AlarmQuery>,
    /// `ThresholdMetricId` (anomaly-detection alarms, see `crate::metric::band`).
    pub threshold_metric_id: Option<String>,
}

const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

fn is_extended_statistic(s: &str) -> bool {
    if s == "IQM" || crate::metric::percentile_of(s).is_some() {
        return true;
    }
    ["tm", "wm", "tc", "ts", "TM", "WM", "TC", "TS", "PR"]
        .iter()
        .any(|prefix| s.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty()))
}

impl PutMetricAlarm {
    /// Validates the request as PutMetricAlarm does, in AWS's order and words.
    /// Returns the alarm's period in seconds.
    pub fn validate(&self) -> Result<i64, AlarmsError> {
        check_name_and_description(&self.name, self.description.as_deref())?;
        let period = if self.metrics.is_empty() {
            let namespace = self
                .namespace
                .as_deref()
                .ok_or_else(|| missing("Namespace"))?;
            check_len("Namespace", namespace, 255)?;
            let metric = self
                .metric_name
                .as_deref()
                .ok_or_else(|| missing("MetricName"))?;
            check_len("MetricName", metric, 255)?;
            if self.dimensions.len() > 30 {
                return Err(invalid(
                    "The collection Dimensions must not have more than 30 members.",
                ));
            }
            for (n, v) in &self.dimensions {
                check_len("Dimensions.member.Name", n, 255)?;
                check_len("Dimensions.member.Value", v, 1024)?;
            }
            match (&self.statistic, &self.extended_statistic) {
                (Some(_), Some(_)) => {
                    return Err(AlarmsError::InvalidParameterCombination(
                        "Exactly one of Statistic or ExtendedStatistic must be specified.".into(),
                    ));
                }
                (None, None) => {
                    return Err(AlarmsError::InvalidParameterCombination(
                        "One of Statistic or ExtendedStatistic must be specified.".into(),
                    ));
                }
                (Some(s), None) if !STATISTICS.contains(&s.as_str()) => {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{s}' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]"
                    )));
                }
                (None, Some(e)) if !is_extended_statistic(e) => {
                    return Err(invalid(format!(
                        "The value {e} for parameter ExtendedStatistic is not supported."
                    )));
                }
                _ => {}
            }
            let period = self.period.ok_or_else(|| missing("Period"))?;
            check_period(period)?;
            period
        } else {
            self.validate_metrics()?
        };
        let n = self
            .evaluation_periods
            .ok_or_else(|| missing("EvaluationPeriods"))?;
        if n < 1 {
            return Err(invalid(
                "The parameter EvaluationPeriods must be greater than or equal to 1.",
            ));
        }
        // Period x EvaluationPeriods: at most seven days, or one day for periods under an hour.
        if period.saturating_mul(n) > 604_800 {
            return Err(invalid(
                "The product of EvaluationPeriods and Period must not exceed 604800 seconds (7 days).",
            ));
        }
        if period < 3600 && period.saturating_mul(n) > 86_400 {
            return Err(invalid(
                "The product of EvaluationPeriods and Period must not exceed 86400 seconds (1 day) for a Period of less than 3600 seconds.",
            ));
        }
        if let Some(m) = self.datapoints_to_alarm {
            if m < 1 {
                return Err(invalid(
                    "The parameter DatapointsToAlarm must be greater than or equal to 1.",
                ));
            }
            if m > n {
                // AWS answers this one as a ValidationError, not InvalidParameterValue.
                return Err(AlarmsError::Validation(
                    "DatapointsToAlarm must be less than or equal to EvaluationPeriods".into(),
                ));
            }
        }
        let op = self
            .comparison_operator
            .as_deref()
            .ok_or_else(|| missing("ComparisonOperator"))?;
        let op: ComparisonOperator = op.parse().map_err(|_| {
            invalid(format!(
                "1 validation error detected: Value '{op}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold]"
            ))
        })?;
        self.check_band_rules(op)?;
        if let Some(t) = &self.treat_missing_data
            && t.parse::<TreatMissingData>().is_err()
        {
            return Err(invalid(format!(
                "The value {t} is not valid for TreatMissingData. Valid values are: breaching, notBreaching, ignore, missing."
            )));
        }
        if let Some(e) = &self.evaluate_low_sample_count_percentile {
            if e.parse::<LowSampleCount>().is_err() {
                return Err(invalid(format!(
                    "The value {e} is not valid for EvaluateLowSampleCountPercentile. Valid values are: evaluate, ignore."
                )));
            }
            if self
                .extended_statistic
                .as_deref()
                .and_then(crate::metric::percentile_of)
                .is_none()
            {
                return Err(AlarmsError::InvalidParameterCombination(
                    "EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.".into(),
                ));
            }
        }
        check_actions(
            &self.ok_actions,
            &self.alarm_actions,
            &self.insufficient_data_actions,
        )?;
        super::tags::check_tags(&self.tags)?;
        Ok(period)
    }

    /// Validates `Metrics` (metric-math alarms); returns the alarm's period: that of the query
    /// returning data, or for an expression its Period or the smallest metric period.
    fn validate_metrics(&self) -> Result<i64, AlarmsError> {
        if self.namespace.is_some()
            || self.metric_name.is_some()
            || self.statistic.is_some()
            || self.extended_statistic.is_some()
            || !self.dimensions.is_empty()
            || self.period.is_some()
            || self.unit.is_some()
        {
            return Err(AlarmsError::InvalidParameterCombination(
                "Metrics cannot be combined with MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period or Unit.".into(),
            ));
        }
        if self.metrics.len() > 10 {
            return Err(invalid(
                "The collection Metrics must not have more than 10 members.",
            ));
        }
        // The band of an anomaly-detection alarm returns data too; it is not the evaluated one.
        let returning: Vec<&AlarmQuery> = self
            .metrics
            .iter()
            .filter(|q| q.return_data && Some(&q.id) != self.threshold_metric_id.as_ref())
            .collect();
        let [r] = returning[..] else {
            return Err(invalid(
                "Exactly one element of the metrics list should return data.",
            ));
        };
        let mut ids: Vec<&str> = Vec::new();
        let mut min_period: Option<i64> = None;
        for q in &self.metrics {
            let id_ok = q.id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && q.id.len() <= 255;
            if !id_ok {
                return Err(invalid(format!(
                    "Invalid metrics list: the id {} must start with a lowercase letter and contain only letters, numbers and underscores.",
                    q.id
                )));
            }
            if ids.contains(&q.id.as_str()) {
                return Err(invalid(format!(
                    "Invalid metrics list: the id {} is used more than once.",
                    q.id
                )));
            }
            ids.push(&q.id);
            match &q.expression {
                Some(e) if e.trim().is_empty() => {
                    return Err(invalid(
                        "The expression of a metrics list element must not be empty.",
                    ));
                }
                Some(_) => {}
                None => {
                    check_len(
                        "Metrics.member.MetricStat.Metric.Namespace",
                        &q.namespace,
                        255,
                    )?;
                    check_len(
                        "Metrics.member.MetricStat.Metric.MetricName",
                        &q.metric_name,
                        255,
                    )?;
                    let p = i64::from(q.period.unwrap_or(0));
                    check_period(p)?;
                    min_period = Some(min_period.map_or(p, |m| m.min(p)));
                    if q.stat.as_deref().is_none_or(str::is_empty) {
                        return Err(AlarmsError::MissingParameter(
                            "The parameter Metrics.member.MetricStat.Stat is required.".into(),
                        ));
                    }
                }
            }
        }
        match (&r.expression, r.period) {
            (Some(_), Some(p)) => {
                check_period(i64::from(p))?;
                Ok(i64::from(p))
            }
            (None, Some(p)) => Ok(i64::from(p)),
            (_, None) => min_period.ok_or_else(|| {
                AlarmsError::MissingParameter(
                    "The parameter Metrics.member.Period is required for an expression without metrics.".into(),
                )
            }),
        }
    }
}

impl PutMetricAlarm {
    /// `ThresholdMetricId`, `Threshold` and the operator together (`crate::metric::band`).
    fn check_band_rules(&self, op: ComparisonOperator) -> Result<(), AlarmsError> {
        let refs: Vec<crate::metric::band::QueryRef<'_>> = self
            .metrics
            .iter()
            .map(|q| crate::metric::band::QueryRef {
                id: &q.id,
                expression: q.expression.as_deref(),
                return_data: q.return_data,
            })
            .collect();
        crate::metric::band::check_band_rules(
            op,
            self.threshold,
            self.threshold_metric_id.as_deref(),
            &refs,
        )
        .map_err(|e| match e.code {
            "MissingParameter" => AlarmsError::MissingParameter(e.message),
            "InvalidParameterCombination" => AlarmsError::InvalidParameterCombination(e.message),
            _ => AlarmsError::InvalidParameterValue(e.message),
        })
    }
}
