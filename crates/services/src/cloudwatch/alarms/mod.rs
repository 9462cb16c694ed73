//! CloudWatch alarms: PutMetricAlarm (single-metric and metric-math alarms; anomaly-detection
//! alarms are refused), PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
//! DeleteAlarms, SetAlarmState, EnableAlarmActions, DisableAlarmActions and
//! DescribeAlarmHistory. The logic is in `openwatch_alarms::store`; state changes made here
//! (SetAlarmState, a composite's evaluation at creation) are published as "CloudWatch Alarm State
//! Change" on the account's default bus, and their actions run through the store's registered
//! `AlarmActions` (the server's SNS link). TagResource, UntagResource and ListTagsForResource
//! tag alarms (`tags`).

mod describe;
mod history;
mod put;
mod shapes;
mod state;
mod tags;

use std::sync::Arc;

use openwatch_alarms::store::{
    AlarmQuery, AlarmStore, AlarmsError, CompositeAlarm, HistoryItemType, HistoryQuery,
    MetricAlarm, PutCompositeAlarm, PutMetricAlarm, StateChange,
};
use openwatch_events::Events;
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{DimensionShape, MetricDataQueryShape, MetricShape, MetricStatShape};

pub use describe::*;
pub use history::*;
pub use put::*;
pub use shapes::*;
pub use state::*;

use describe::{describe_alarms, describe_alarms_for_metric};
use history::describe_alarm_history;
use put::{put_composite_alarm, put_metric_alarm};
use state::set_alarm_state;

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
        AlarmsError::ResourceNotFoundException(m) => {
            ApiError::new(404, "ResourceNotFoundException", m)
                .with_query_code("ResourceNotFoundException")
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

pub(super) fn invalid(m: impl Into<String>) -> ApiError {
    alarms_error(AlarmsError::InvalidParameterValue(m.into()))
}

/// `MissingParameter` for the member `n`.
pub(super) fn missing(n: &str) -> ApiError {
    alarms_error(AlarmsError::MissingParameter(format!(
        "The parameter {n} is required."
    )))
}

/// `Dimensions` as `(name, value)` pairs.
pub(super) fn dimension_pairs(d: Vec<DimensionShape>) -> Vec<(String, String)> {
    d.into_iter().map(|d| (d.name, d.value)).collect()
}

/// `Tags` as `(key, value)` pairs.
pub(super) fn tag_pairs(t: Option<Vec<TagShape>>) -> Vec<(String, String)> {
    t.unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

#[derive(Debug, Default, Serialize)]
pub struct Empty {}

pub(super) fn max_records(v: Option<i64>, max: i64) -> Result<usize, ApiError> {
    match v {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(invalid(format!(
            "1 validation error detected: Value '{n}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and {max}"
        ))),
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmNamesInput {
    #[serde(default)]
    pub alarm_names: Option<Vec<String>>,
}

pub(super) fn names(input: AlarmNamesInput) -> Result<Vec<String>, ApiError> {
    let names = input.alarm_names.ok_or_else(|| missing("AlarmNames"))?;
    if names.len() > 100 {
        return Err(invalid(
            "The collection AlarmNames must not have more than 100 members.",
        ));
    }
    Ok(names)
}

/// The CloudWatch operation `name`, served by `handler` over the alarm store.
fn operation<I, O, F>(name: &'static str, store: &Arc<AlarmStore>, handler: F) -> Operation
where
    I: DeserializeOwned + Serialize + Send + 'static,
    O: Serialize + 'static,
    F: Fn(&AlarmStore, &CallContext, I) -> Result<O, ApiError> + Clone + Send + Sync + 'static,
{
    crate::domain_operation(Service::CloudWatch, name, store, handler)
}

/// Registers the alarm operations.
pub fn register(registry: &mut Registry, store: Arc<AlarmStore>, events: Arc<Events>) {
    registry.add(operation("PutMetricAlarm", &store, put_metric_alarm));
    registry.add(operation("DescribeAlarms", &store, describe_alarms).read_only());
    registry.add(
        operation(
            "DescribeAlarmsForMetric",
            &store,
            describe_alarms_for_metric,
        )
        .read_only(),
    );
    registry.add(operation(
        "DeleteAlarms",
        &store,
        |s, ctx, input: AlarmNamesInput| {
            s.delete_alarms(ctx.account.as_str(), &ctx.region, &names(input)?)
                .map_err(alarms_error)?;
            Ok(Empty {})
        },
    ));
    for (op, enabled) in [("EnableAlarmActions", true), ("DisableAlarmActions", false)] {
        registry.add(operation(
            op,
            &store,
            move |s, ctx, input: AlarmNamesInput| {
                s.set_actions_enabled(ctx.account.as_str(), &ctx.region, &names(input)?, enabled)
                    .map_err(alarms_error)?;
                Ok(Empty {})
            },
        ));
    }
    let e = Arc::clone(&events);
    registry.add(operation(
        "PutCompositeAlarm",
        &store,
        move |s, ctx, input| put_composite_alarm(s, &e, ctx, input),
    ));
    registry.add(operation("SetAlarmState", &store, move |s, ctx, input| {
        set_alarm_state(s, &events, ctx, input)
    }));
    tags::register(registry, &store);
    registry.add(operation("DescribeAlarmHistory", &store, describe_alarm_history).read_only());
}
