//! DescribeAlarms and DescribeAlarmsForMetric: their inputs, outputs and handlers.

use super::*;

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

pub(super) fn describe_alarms(
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

pub(super) fn describe_alarms_for_metric(
    store: &AlarmStore,
    ctx: &CallContext,
    input: DescribeAlarmsForMetricInput,
) -> Result<DescribeAlarmsForMetricOutput, ApiError> {
    let metric = input.metric_name.ok_or_else(|| missing("MetricName"))?;
    let namespace = input.namespace.ok_or_else(|| missing("Namespace"))?;
    let mut dims = input.dimensions.map(dimension_pairs);
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
