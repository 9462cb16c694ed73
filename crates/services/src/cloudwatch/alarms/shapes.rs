//! The output shapes of alarms: `MetricAlarm`, `CompositeAlarm` and their tags and queries.

use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagShape {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// The `MetricAlarm` output shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricAlarmShape {
    pub alarm_name: String,
    pub alarm_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    pub alarm_configuration_updated_timestamp: Timestamp,
    pub actions_enabled: bool,
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub state_value: String,
    pub state_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason_data: Option<String>,
    pub state_updated_timestamp: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    pub dimensions: Vec<DimensionShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub evaluation_periods: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    pub comparison_operator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub state_transitioned_timestamp: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<MetricDataQueryShape>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_metric_id: Option<String>,
}

pub(super) fn query_shape(q: AlarmQuery) -> MetricDataQueryShape {
    let (metric_stat, period) = match q.expression {
        Some(_) => (None, q.period.map(i64::from)),
        None => (
            Some(MetricStatShape {
                metric: MetricShape {
                    namespace: Some(q.namespace),
                    metric_name: Some(q.metric_name),
                    dimensions: Some(
                        q.dimensions
                            .into_iter()
                            .map(|(name, value)| DimensionShape { name, value })
                            .collect(),
                    ),
                },
                period: q.period.map(i64::from),
                stat: q.stat,
                unit: q.unit,
            }),
            None,
        ),
    };
    MetricDataQueryShape {
        id: Some(q.id),
        metric_stat,
        expression: q.expression,
        label: q.label,
        return_data: Some(q.return_data),
        period,
        account_id: None,
    }
}

impl From<MetricAlarm> for MetricAlarmShape {
    fn from(a: MetricAlarm) -> Self {
        let math = !a.metrics.is_empty();
        MetricAlarmShape {
            alarm_name: a.name,
            alarm_arn: a.arn,
            alarm_description: a.description,
            alarm_configuration_updated_timestamp: Timestamp::from_millis(
                a.configuration_updated_ms,
            ),
            actions_enabled: a.actions_enabled,
            ok_actions: a.ok_actions,
            alarm_actions: a.alarm_actions,
            insufficient_data_actions: a.insufficient_data_actions,
            state_value: a.state_value,
            state_reason: a.state_reason,
            state_reason_data: a.state_reason_data,
            state_updated_timestamp: Timestamp::from_millis(a.state_updated_ms),
            metric_name: (!math).then_some(a.metric_name),
            namespace: (!math).then_some(a.namespace),
            statistic: a.statistic,
            extended_statistic: a.extended_statistic,
            dimensions: a
                .dimensions
                .into_iter()
                .map(|(name, value)| DimensionShape { name, value })
                .collect(),
            period: (!math).then_some(a.period),
            unit: a.unit,
            evaluation_periods: a.evaluation_periods,
            datapoints_to_alarm: a.datapoints_to_alarm,
            threshold: a.threshold_metric_id.is_none().then_some(a.threshold),
            threshold_metric_id: a.threshold_metric_id,
            comparison_operator: a.comparison_operator,
            treat_missing_data: a.treat_missing_data,
            evaluate_low_sample_count_percentile: a.evaluate_low_sample_count_percentile,
            state_transitioned_timestamp: Timestamp::from_millis(a.state_transitioned_ms),
            metrics: math.then(|| a.metrics.into_iter().map(query_shape).collect()),
        }
    }
}

/// The `CompositeAlarm` output shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompositeAlarmShape {
    pub alarm_name: String,
    pub alarm_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    pub alarm_configuration_updated_timestamp: Timestamp,
    pub actions_enabled: bool,
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub alarm_rule: String,
    pub state_value: String,
    pub state_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason_data: Option<String>,
    pub state_updated_timestamp: Timestamp,
    pub state_transitioned_timestamp: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_suppressor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_suppressor_wait_period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_suppressor_extension_period: Option<u32>,
    /// `WaitPeriod`, `ExtensionPeriod` or `Alarm` while the current state's actions are held
    /// back by the suppressor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_suppressed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions_suppressed_reason: Option<String>,
}

impl From<CompositeAlarm> for CompositeAlarmShape {
    fn from(a: CompositeAlarm) -> Self {
        CompositeAlarmShape {
            alarm_name: a.name,
            alarm_arn: a.arn,
            alarm_description: a.description,
            alarm_configuration_updated_timestamp: Timestamp::from_millis(
                a.configuration_updated_ms,
            ),
            actions_enabled: a.actions_enabled,
            ok_actions: a.ok_actions,
            alarm_actions: a.alarm_actions,
            insufficient_data_actions: a.insufficient_data_actions,
            alarm_rule: a.alarm_rule,
            state_value: a.state_value,
            state_reason: a.state_reason,
            state_reason_data: a.state_reason_data,
            state_updated_timestamp: Timestamp::from_millis(a.state_updated_ms),
            state_transitioned_timestamp: Timestamp::from_millis(a.state_transitioned_ms),
            actions_suppressor: a.actions_suppressor,
            actions_suppressor_wait_period: a.actions_suppressor_wait_period,
            actions_suppressor_extension_period: a.actions_suppressor_extension_period,
            actions_suppressed_reason: a
                .pending_actions
                .as_ref()
                .map(|p| format!("Actions suppressed by {}", p.suppressed_by)),
            actions_suppressed_by: a.pending_actions.map(|p| p.suppressed_by),
        }
    }
}
