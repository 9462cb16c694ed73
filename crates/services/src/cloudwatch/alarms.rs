//! CloudWatch alarms: PutMetricAlarm (single-metric and metric-math alarms; anomaly-detection
//! alarms are refused), PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
//! DeleteAlarms, SetAlarmState, EnableAlarmActions, DisableAlarmActions and
//! DescribeAlarmHistory. The logic is in `openwatch_alarms::store`; state changes made here
//! (SetAlarmState, a composite's evaluation at creation) are published as "CloudWatch Alarm State
//! Change" on the account's default bus. Alarm actions are stored but not executed.

use std::sync::Arc;

use openwatch_alarms::store::{
    AlarmQuery, AlarmStore, AlarmsError, CompositeAlarm, HistoryItemType, HistoryQuery,
    MetricAlarm, PutCompositeAlarm, PutMetricAlarm, StateChange,
};
use openwatch_events::Events;
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp};
use serde::{Deserialize, Serialize};

use super::{DimensionShape, MetricDataQueryShape, MetricShape, MetricStatShape};

/// Maps an alarm-store error to CloudWatch's error shape and awsQuery code.
pub fn alarms_error(e: AlarmsError) -> ApiError {
    match e {
        AlarmsError::InvalidParameterValue(m) => {
            ApiError::new(400, "InvalidParameterValueException", m)
                .with_query_code("InvalidParameterValue")
        }
        AlarmsError::InvalidParameterCombination(m) => {
            ApiError::new(400, "InvalidParameterCombinationException", m)
                .with_query_code("InvalidParameterCombination")
        }
        AlarmsError::MissingParameter(m) => {
            ApiError::new(400, "MissingRequiredParameterException", m)
                .with_query_code("MissingParameter")
        }
        AlarmsError::ResourceNotFound(m) => {
            ApiError::new(404, "ResourceNotFound", m).with_query_code("ResourceNotFound")
        }
        AlarmsError::InvalidNextToken(m) => {
            ApiError::new(400, "InvalidNextToken", m).with_query_code("InvalidNextToken")
        }
        AlarmsError::Validation(m) => {
            ApiError::new(400, "ValidationError", m).with_query_code("ValidationError")
        }
        AlarmsError::InvalidFormat(m) => {
            ApiError::new(400, "InvalidFormatFault", m).with_query_code("InvalidFormat")
        }
        other => ApiError::internal(other),
    }
}

fn invalid(m: impl Into<String>) -> ApiError {
    alarms_error(AlarmsError::InvalidParameterValue(m.into()))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagShape {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricAlarmInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub alarm_description: Option<String>,
    #[serde(default)]
    pub actions_enabled: Option<bool>,
    #[serde(default, rename = "OKActions")]
    pub ok_actions: Option<Vec<String>>,
    #[serde(default)]
    pub alarm_actions: Option<Vec<String>>,
    #[serde(default)]
    pub insufficient_data_actions: Option<Vec<String>>,
    #[serde(default)]
    pub metric_name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub extended_statistic: Option<String>,
    #[serde(default)]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default)]
    pub period: Option<i64>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub evaluation_periods: Option<i64>,
    #[serde(default)]
    pub datapoints_to_alarm: Option<i64>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub comparison_operator: Option<String>,
    #[serde(default)]
    pub treat_missing_data: Option<String>,
    #[serde(default)]
    pub evaluate_low_sample_count_percentile: Option<String>,
    #[serde(default)]
    pub metrics: Option<Vec<MetricDataQueryShape>>,
    #[serde(default)]
    pub threshold_metric_id: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<TagShape>>,
}

#[derive(Debug, Default, Serialize)]
pub struct Empty {}

fn put_metric_alarm(
    store: &AlarmStore,
    ctx: &CallContext,
    input: PutMetricAlarmInput,
) -> Result<Empty, ApiError> {
    if input.threshold_metric_id.is_some() {
        return Err(invalid(
            "Anomaly detection alarms (ThresholdMetricId) are not supported by this server.",
        ));
    }
    let mut metrics = Vec::new();
    for (i, q) in input.metrics.unwrap_or_default().into_iter().enumerate() {
        let path = format!("Metrics.member.{}", i + 1);
        let missing = |n: &str| {
            alarms_error(AlarmsError::MissingParameter(format!(
                "The parameter {path}.{n} is required."
            )))
        };
        let id = q.id.ok_or_else(|| missing("Id"))?;
        let period = q
            .period
            .map(|p| {
                u32::try_from(p)
                    .map_err(|_| invalid(format!("The parameter {path}.Period is invalid.")))
            })
            .transpose()?;
        let query = match (q.metric_stat, q.expression) {
            (Some(_), Some(_)) => {
                return Err(alarms_error(AlarmsError::InvalidParameterCombination(
                    format!(
                        "The parameters {path}.MetricStat and {path}.Expression are mutually exclusive and you have specified both."
                    ),
                )));
            }
            (None, None) => {
                return Err(alarms_error(AlarmsError::MissingParameter(format!(
                    "Exactly one of the parameters {path}.MetricStat and {path}.Expression must be specified."
                ))));
            }
            (None, Some(expression)) => AlarmQuery {
                id,
                expression: Some(expression),
                period,
                label: q.label,
                return_data: q.return_data.unwrap_or(true),
                ..AlarmQuery::default()
            },
            (Some(stat), None) => {
                if let Some(u) = &stat.unit
                    && openwatch_metrics::Unit::parse(u).is_none()
                {
                    return Err(invalid(format!(
                        "The parameter {path}.MetricStat.Unit must be a value in the set {}.",
                        openwatch_metrics::Unit::set_text()
                    )));
                }
                AlarmQuery {
                    id,
                    expression: None,
                    namespace: stat
                        .metric
                        .namespace
                        .ok_or_else(|| missing("MetricStat.Metric.Namespace"))?,
                    metric_name: stat
                        .metric
                        .metric_name
                        .ok_or_else(|| missing("MetricStat.Metric.MetricName"))?,
                    dimensions: stat
                        .metric
                        .dimensions
                        .unwrap_or_default()
                        .into_iter()
                        .map(|d| (d.name, d.value))
                        .collect(),
                    stat: Some(stat.stat.ok_or_else(|| missing("MetricStat.Stat"))?),
                    period: Some(
                        stat.period
                            .and_then(|p| u32::try_from(p).ok())
                            .ok_or_else(|| missing("MetricStat.Period"))?,
                    ),
                    unit: stat.unit,
                    label: q.label,
                    return_data: q.return_data.unwrap_or(true),
                }
            }
        };
        metrics.push(query);
    }
    if let Some(u) = &input.unit
        && openwatch_metrics::Unit::parse(u).is_none()
    {
        return Err(invalid(format!(
            "The parameter Unit must be a value in the set {}.",
            openwatch_metrics::Unit::set_text()
        )));
    }
    let req = PutMetricAlarm {
        name: input.alarm_name.unwrap_or_default(),
        description: input.alarm_description,
        actions_enabled: input.actions_enabled,
        ok_actions: input.ok_actions.unwrap_or_default(),
        alarm_actions: input.alarm_actions.unwrap_or_default(),
        insufficient_data_actions: input.insufficient_data_actions.unwrap_or_default(),
        namespace: input.namespace,
        metric_name: input.metric_name,
        dimensions: input
            .dimensions
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.name, d.value))
            .collect(),
        statistic: input.statistic,
        extended_statistic: input.extended_statistic,
        period: input.period,
        evaluation_periods: input.evaluation_periods,
        datapoints_to_alarm: input.datapoints_to_alarm,
        threshold: input.threshold,
        comparison_operator: input.comparison_operator,
        treat_missing_data: input.treat_missing_data,
        evaluate_low_sample_count_percentile: input.evaluate_low_sample_count_percentile,
        unit: input.unit,
        tags: input
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
        metrics,
    };
    store
        .put_metric_alarm(ctx.account.as_str(), &ctx.region, req)
        .map_err(alarms_error)?;
    Ok(Empty {})
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
    pub threshold: f64,
    pub comparison_operator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub state_transitioned_timestamp: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<MetricDataQueryShape>>,
}

fn query_shape(q: AlarmQuery) -> MetricDataQueryShape {
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
            threshold: a.threshold,
            comparison_operator: a.comparison_operator,
            treat_missing_data: a.treat_missing_data,
            evaluate_low_sample_count_percentile: a.evaluate_low_sample_count_percentile,
            state_transitioned_timestamp: Timestamp::from_millis(a.state_transitioned_ms),
            metrics: math.then(|| a.metrics.into_iter().map(query_shape).collect()),
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutCompositeAlarmInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub alarm_description: Option<String>,
    #[serde(default)]
    pub actions_enabled: Option<bool>,
    #[serde(default, rename = "OKActions")]
    pub ok_actions: Option<Vec<String>>,
    #[serde(default)]
    pub alarm_actions: Option<Vec<String>>,
    #[serde(default)]
    pub insufficient_data_actions: Option<Vec<String>>,
    #[serde(default)]
    pub alarm_rule: Option<String>,
    #[serde(default)]
    pub actions_suppressor: Option<String>,
    #[serde(default)]
    pub actions_suppressor_wait_period: Option<i64>,
    #[serde(default)]
    pub actions_suppressor_extension_period: Option<i64>,
    #[serde(default)]
    pub tags: Option<Vec<TagShape>>,
}

fn put_composite_alarm(
    store: &AlarmStore,
    events: &Events,
    ctx: &CallContext,
    input: PutCompositeAlarmInput,
) -> Result<Empty, ApiError> {
    let req = PutCompositeAlarm {
        name: input.alarm_name.unwrap_or_default(),
        description: input.alarm_description,
        actions_enabled: input.actions_enabled,
        ok_actions: input.ok_actions.unwrap_or_default(),
        alarm_actions: input.alarm_actions.unwrap_or_default(),
        insufficient_data_actions: input.insufficient_data_actions.unwrap_or_default(),
        alarm_rule: input.alarm_rule,
        actions_suppressor: input.actions_suppressor,
        actions_suppressor_wait_period: input.actions_suppressor_wait_period,
        actions_suppressor_extension_period: input.actions_suppressor_extension_period,
        tags: input
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
    };
    let changes = store
        .put_composite_alarm(ctx.account.as_str(), &ctx.region, req)
        .map_err(alarms_error)?;
    for c in &changes {
        publish_state_change(events, c);
    }
    Ok(Empty {})
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
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsInput {
    #[serde(default)]
    pub alarm_names: Option<Vec<String>>,
    #[serde(default)]
    pub alarm_name_prefix: Option<String>,
    #[serde(default)]
    pub alarm_types: Option<Vec<String>>,
    #[serde(default)]
    pub children_of_alarm_name: Option<String>,
    #[serde(default)]
    pub parents_of_alarm_name: Option<String>,
    #[serde(default)]
    pub state_value: Option<String>,
    #[serde(default)]
    pub action_prefix: Option<String>,
    #[serde(default)]
    pub max_records: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsOutput {
    pub composite_alarms: Vec<CompositeAlarmShape>,
    pub metric_alarms: Vec<MetricAlarmShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn check_state(s: &str) -> Result<(), ApiError> {
    if matches!(s, "OK" | "ALARM" | "INSUFFICIENT_DATA") {
        Ok(())
    } else {
        Err(invalid(format!(
            "1 validation error detected: Value '{s}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"
        )))
    }
}

fn max_records(v: Option<i64>, max: i64) -> Result<usize, ApiError> {
    match v {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(invalid(format!(
            "1 validation error detected: Value '{n}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}

fn describe_alarms(
    store: &AlarmStore,
    ctx: &CallContext,
    input: DescribeAlarmsInput,
) -> Result<DescribeAlarmsOutput, ApiError> {
    let max = max_records(input.max_records, 100)?;
    if let Some(s) = &input.state_value {
        check_state(s)?;
    }
    if input.alarm_names.as_ref().is_some_and(|n| n.len() > 100) {
        return Err(invalid(
            "The collection AlarmNames must not have more than 100 members.",
        ));
    }
    if input.alarm_names.is_some() && input.alarm_name_prefix.is_some() {
        return Err(alarms_error(AlarmsError::InvalidParameterCombination(
            "AlarmNames and AlarmNamePrefix cannot be used together.".into(),
        )));
    }
    for t in input.alarm_types.iter().flatten() {
        if t != "MetricAlarm" && t != "CompositeAlarm" {
            return Err(invalid(format!(
                "1 validation error detected: Value '[{t}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]]"
            )));
        }
    }
    let relation = input.children_of_alarm_name.is_some() || input.parents_of_alarm_name.is_some();
    if relation
        && (input.alarm_names.is_some()
            || input.alarm_name_prefix.is_some()
            || input.state_value.is_some()
            || input.action_prefix.is_some()
            || (input.children_of_alarm_name.is_some() && input.parents_of_alarm_name.is_some()))
    {
        return Err(alarms_error(AlarmsError::InvalidParameterCombination(
            "ChildrenOfAlarmName and ParentsOfAlarmName can only be combined with AlarmTypes, MaxRecords and NextToken.".into(),
        )));
    }
    let (account, region) = (ctx.account.as_str(), ctx.region.as_str());
    // Without AlarmTypes only metric alarms are returned.
    let types = input.alarm_types.clone().unwrap_or_default();
    // With ChildrenOfAlarmName / ParentsOfAlarmName both kinds are returned by default.
    let want_metric = types.is_empty() || types.iter().any(|t| t == "MetricAlarm");
    let want_composite =
        (types.is_empty() && relation) || types.iter().any(|t| t == "CompositeAlarm");
    // ChildrenOfAlarmName: the alarms a composite's rule references; ParentsOfAlarmName: the
    // composites whose rule references the alarm.
    let children: Option<Vec<String>> = input.children_of_alarm_name.as_ref().map(|n| {
        store
            .composite(account, region, n)
            .and_then(|c| c.rule())
            .map(|r| r.child_names().into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    });
    let parent_of = input.parents_of_alarm_name.as_deref();
    let common = |name: &str, state: &str, has_prefix: &dyn Fn(&str) -> bool| {
        children
            .as_ref()
            .is_none_or(|c| c.iter().any(|n| n == name))
            && input
                .alarm_names
                .as_ref()
                .is_none_or(|n| n.iter().any(|x| x == name))
            && input
                .alarm_name_prefix
                .as_ref()
                .is_none_or(|p| name.starts_with(p.as_str()))
            && input.state_value.as_ref().is_none_or(|s| s == state)
            && input.action_prefix.as_ref().is_none_or(|p| has_prefix(p))
    };
    let metric: Vec<MetricAlarm> = if want_metric && parent_of.is_none() {
        store
            .alarms(account, region)
            .into_iter()
            .filter(|a| common(&a.name, &a.state_value, &|p| a.has_action_prefix(p)))
            .collect()
    } else {
        Vec::new()
    };
    let composite: Vec<CompositeAlarm> = if want_composite {
        store
            .composites(account, region)
            .into_iter()
            .filter(|a| {
                common(&a.name, &a.state_value, &|p| a.has_action_prefix(p))
                    && parent_of.is_none_or(|child| {
                        a.rule().is_some_and(|r| r.child_names().contains(&child))
                    })
            })
            .collect()
    } else {
        Vec::new()
    };
    let total = metric.len() + composite.len();
    let offset = match &input.next_token {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|o| *o <= total)
            .ok_or_else(|| {
                alarms_error(AlarmsError::InvalidNextToken(
                    "The service cannot find the token.".into(),
                ))
            })?,
        None => 0,
    };
    let end = (offset + max).min(total);
    let metric_len = metric.len();
    let metric_page: Vec<MetricAlarmShape> = metric
        .into_iter()
        .skip(offset)
        .take(end.saturating_sub(offset))
        .map(Into::into)
        .collect();
    let composite_page: Vec<CompositeAlarmShape> = composite
        .into_iter()
        .skip(offset.saturating_sub(metric_len))
        .take(end.saturating_sub(offset.max(metric_len)))
        .map(Into::into)
        .collect();
    Ok(DescribeAlarmsOutput {
        composite_alarms: composite_page,
        metric_alarms: metric_page,
        next_token: (end < total).then(|| end.to_string()),
    })
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsForMetricInput {
    #[serde(default)]
    pub metric_name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub extended_statistic: Option<String>,
    #[serde(default)]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default)]
    pub period: Option<i64>,
    #[serde(default)]
    pub unit: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsForMetricOutput {
    pub metric_alarms: Vec<MetricAlarmShape>,
}

fn describe_alarms_for_metric(
    store: &AlarmStore,
    ctx: &CallContext,
    input: DescribeAlarmsForMetricInput,
) -> Result<DescribeAlarmsForMetricOutput, ApiError> {
    let missing = |n: &str| {
        alarms_error(AlarmsError::MissingParameter(format!(
            "The parameter {n} is required."
        )))
    };
    let metric = input.metric_name.ok_or_else(|| missing("MetricName"))?;
    let namespace = input.namespace.ok_or_else(|| missing("Namespace"))?;
    let mut dims: Option<Vec<(String, String)>> = input
        .dimensions
        .map(|d| d.into_iter().map(|d| (d.name, d.value)).collect());
    if let Some(d) = dims.as_mut() {
        d.sort();
    }
    let alarms = store
        .alarms(ctx.account.as_str(), &ctx.region)
        .into_iter()
        .filter(|a| {
            a.metric_name == metric
                && a.namespace == namespace
                && input
                    .statistic
                    .as_ref()
                    .is_none_or(|s| a.statistic.as_ref() == Some(s))
                && input
                    .extended_statistic
                    .as_ref()
                    .is_none_or(|s| a.extended_statistic.as_ref() == Some(s))
                && input.period.is_none_or(|p| i64::from(a.period) == p)
                && input
                    .unit
                    .as_ref()
                    .is_none_or(|u| a.unit.as_ref() == Some(u))
                && dims.as_ref().is_none_or(|d| {
                    let mut mine = a.dimensions.clone();
                    mine.sort();
                    mine == *d
                })
        })
        .map(Into::into)
        .collect();
    Ok(DescribeAlarmsForMetricOutput {
        metric_alarms: alarms,
    })
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmNamesInput {
    #[serde(default)]
    pub alarm_names: Option<Vec<String>>,
}

fn names(input: AlarmNamesInput) -> Result<Vec<String>, ApiError> {
    let names = input.alarm_names.ok_or_else(|| {
        alarms_error(AlarmsError::MissingParameter(
            "The parameter AlarmNames is required.".into(),
        ))
    })?;
    if names.len() > 100 {
        return Err(invalid(
            "The collection AlarmNames must not have more than 100 members.",
        ));
    }
    Ok(names)
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetAlarmStateInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub state_value: Option<String>,
    #[serde(default)]
    pub state_reason: Option<String>,
    #[serde(default)]
    pub state_reason_data: Option<String>,
}

/// Publishes a state change onto the account's default bus (errors are logged: the change
/// itself is stored).
pub fn publish_state_change(events: &Events, change: &StateChange) {
    if let Err(e) = events.put_internal(
        &change.account,
        &change.region,
        StateChange::SOURCE,
        StateChange::DETAIL_TYPE,
        change.event_detail(),
        std::slice::from_ref(&change.arn),
    ) {
        tracing::warn!(alarm = %change.arn, error = %e, "alarm state change event not published");
    }
}

fn set_alarm_state(
    store: &AlarmStore,
    events: &Events,
    ctx: &CallContext,
    input: SetAlarmStateInput,
) -> Result<Empty, ApiError> {
    let missing = |n: &str| {
        alarms_error(AlarmsError::MissingParameter(format!(
            "The parameter {n} is required."
        )))
    };
    let name = input.alarm_name.ok_or_else(|| missing("AlarmName"))?;
    let state = input.state_value.ok_or_else(|| missing("StateValue"))?;
    let reason = input.state_reason.ok_or_else(|| missing("StateReason"))?;
    let change = store
        .set_alarm_state(
            ctx.account.as_str(),
            &ctx.region,
            &name,
            &state,
            &reason,
            input.state_reason_data.as_deref(),
        )
        .map_err(alarms_error)?;
    for c in &change {
        publish_state_change(events, c);
    }
    Ok(Empty {})
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryInput {
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub alarm_types: Option<Vec<String>>,
    #[serde(default)]
    pub history_item_type: Option<String>,
    #[serde(default)]
    pub start_date: Option<Timestamp>,
    #[serde(default)]
    pub end_date: Option<Timestamp>,
    #[serde(default)]
    pub max_records: Option<i64>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub scan_by: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryItemShape {
    pub alarm_name: String,
    pub alarm_type: String,
    pub timestamp: Timestamp,
    pub history_item_type: String,
    pub history_summary: String,
    pub history_data: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmHistoryOutput {
    pub alarm_history_items: Vec<HistoryItemShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn describe_alarm_history(
    store: &AlarmStore,
    ctx: &CallContext,
    input: DescribeAlarmHistoryInput,
) -> Result<DescribeAlarmHistoryOutput, ApiError> {
    let max = max_records(input.max_records, 100)?;
    let item_type = match input.history_item_type.as_deref() {
        None => None,
        Some(t) => Some(HistoryItemType::parse(t).ok_or_else(|| {
            invalid(format!(
                "1 validation error detected: Value '{t}' at 'historyItemType' failed to satisfy constraint: Member must satisfy enum value set: [Action, StateUpdate, ConfigurationUpdate, AlarmContributorStateUpdate, AlarmContributorAction]"
            ))
        })?),
    };
    let ascending = match input.scan_by.as_deref() {
        None | Some("TimestampDescending") => false,
        Some("TimestampAscending") => true,
        Some(s) => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{s}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]"
            )));
        }
    };
    for t in input.alarm_types.iter().flatten() {
        if t != "MetricAlarm" && t != "CompositeAlarm" {
            return Err(invalid(format!(
                "1 validation error detected: Value '[{t}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]]"
            )));
        }
    }
    let q = HistoryQuery {
        alarm_name: input.alarm_name,
        item_type,
        start_ms: input.start_date.map(Timestamp::millis),
        end_ms: input.end_date.map(Timestamp::millis),
        ascending,
        alarm_types: input.alarm_types.unwrap_or_default(),
        max_records: max,
        next_token: input.next_token,
    };
    let (items, next) = store
        .history(ctx.account.as_str(), &ctx.region, &q)
        .map_err(alarms_error)?;
    Ok(DescribeAlarmHistoryOutput {
        alarm_history_items: items
            .into_iter()
            .map(|i| HistoryItemShape {
                alarm_name: i.alarm_name,
                alarm_type: i.alarm_type,
                timestamp: Timestamp::from_millis(i.timestamp_ms),
                history_item_type: i.item_type.as_str().into(),
                history_summary: i.summary,
                history_data: i.data,
            })
            .collect(),
        next_token: next,
    })
}

/// Registers the alarm operations.
pub fn register(registry: &mut Registry, store: Arc<AlarmStore>, events: Arc<Events>) {
    let s = Arc::clone(&store);
    registry.add(Operation::new(
        Service::CloudWatch,
        "PutMetricAlarm",
        move |ctx, input| {
            let s = Arc::clone(&s);
            async move { put_metric_alarm(&s, &ctx, input) }
        },
    ));
    let s = Arc::clone(&store);
    registry.add(
        Operation::new(Service::CloudWatch, "DescribeAlarms", move |ctx, input| {
            let s = Arc::clone(&s);
            async move { describe_alarms(&s, &ctx, input) }
        })
        .read_only(),
    );
    let s = Arc::clone(&store);
    registry.add(
        Operation::new(
            Service::CloudWatch,
            "DescribeAlarmsForMetric",
            move |ctx, input| {
                let s = Arc::clone(&s);
                async move { describe_alarms_for_metric(&s, &ctx, input) }
            },
        )
        .read_only(),
    );
    let s = Arc::clone(&store);
    registry.add(Operation::new(
        Service::CloudWatch,
        "DeleteAlarms",
        move |ctx: CallContext, input: AlarmNamesInput| {
            let s = Arc::clone(&s);
            async move {
                let names = names(input)?;
                s.delete_alarms(ctx.account.as_str(), &ctx.region, &names)
                    .map_err(alarms_error)?;
                Ok::<_, ApiError>(Empty {})
            }
        },
    ));
    for (op, enabled) in [("EnableAlarmActions", true), ("DisableAlarmActions", false)] {
        let s = Arc::clone(&store);
        registry.add(Operation::new(
            Service::CloudWatch,
            op,
            move |ctx: CallContext, input: AlarmNamesInput| {
                let s = Arc::clone(&s);
                async move {
                    let names = names(input)?;
                    s.set_actions_enabled(ctx.account.as_str(), &ctx.region, &names, enabled)
                        .map_err(alarms_error)?;
                    Ok::<_, ApiError>(Empty {})
                }
            },
        ));
    }
    let s = Arc::clone(&store);
    let e = Arc::clone(&events);
    registry.add(Operation::new(
        Service::CloudWatch,
        "PutCompositeAlarm",
        move |ctx, input| {
            let s = Arc::clone(&s);
            let e = Arc::clone(&e);
            async move { put_composite_alarm(&s, &e, &ctx, input) }
        },
    ));
    let s = Arc::clone(&store);
    let e = events;
    registry.add(Operation::new(
        Service::CloudWatch,
        "SetAlarmState",
        move |ctx, input| {
            let s = Arc::clone(&s);
            let e = Arc::clone(&e);
            async move { set_alarm_state(&s, &e, &ctx, input) }
        },
    ));
    let s = store;
    registry.add(
        Operation::new(
            Service::CloudWatch,
            "DescribeAlarmHistory",
            move |ctx, input| {
                let s = Arc::clone(&s);
                async move { describe_alarm_history(&s, &ctx, input) }
            },
        )
        .read_only(),
    );
}
