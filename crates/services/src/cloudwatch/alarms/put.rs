//! PutMetricAlarm and PutCompositeAlarm: their inputs and handlers.

use super::*;

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

pub(super) fn put_metric_alarm(
    store: &AlarmStore,
    ctx: &CallContext,
    input: PutMetricAlarmInput,
) -> Result<Empty, ApiError> {
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
                    dimensions: dimension_pairs(stat.metric.dimensions.unwrap_or_default()),
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
        dimensions: dimension_pairs(input.dimensions.unwrap_or_default()),
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
        tags: tag_pairs(input.tags),
        metrics,
        threshold_metric_id: input.threshold_metric_id,
    };
    store
        .put_metric_alarm(ctx.account.as_str(), &ctx.region, req)
        .map_err(alarms_error)?;
    Ok(Empty {})
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

pub(super) fn put_composite_alarm(
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
        tags: tag_pairs(input.tags),
    };
    let changes = store
        .put_composite_alarm(ctx.account.as_str(), &ctx.region, req)
        .map_err(alarms_error)?;
    for c in &changes {
        publish_state_change(events, c);
    }
    Ok(Empty {})
}
