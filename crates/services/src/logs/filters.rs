//! Metric filter shapes and the TestMetricFilter and DescribeMetricFilters handlers.

use std::collections::BTreeMap;

use openwatch_logs::limits::MAX_TEST_MESSAGES;
use openwatch_logs::{FilterPattern, LogStore, MetricFilterQuery};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::errors::{api_error, invalid};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestMetricFilterInput {
    pub filter_pattern: String,
    pub log_event_messages: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilterMatchRecord {
    pub event_number: i64,
    pub event_message: String,
    pub extracted_values: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestMetricFilterOutput {
    pub matches: Vec<MetricFilterMatchRecord>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformationShape {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutMetricFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
    pub filter_pattern: String,
    pub metric_transformations: Vec<MetricTransformationShape>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteMetricFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeMetricFiltersInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_namespace: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilterShape {
    pub filter_name: String,
    pub filter_pattern: String,
    pub metric_transformations: Vec<MetricTransformationShape>,
    pub creation_time: i64,
    pub log_group_name: String,
    pub apply_on_transformed_logs: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeMetricFiltersOutput {
    pub metric_filters: Vec<MetricFilterShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn test_metric_filter(
    input: TestMetricFilterInput,
) -> Result<TestMetricFilterOutput, ApiError> {
    let n = input.log_event_messages.len();
    if n == 0 || n > MAX_TEST_MESSAGES {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length less than or equal to {MAX_TEST_MESSAGES} and greater than or equal to 1"
        )));
    }
    let pattern =
        FilterPattern::parse(&input.filter_pattern).map_err(|e| invalid(e.aws_message()))?;
    let matches = input
        .log_event_messages
        .iter()
        .enumerate()
        .filter_map(|(i, msg)| {
            pattern.match_event(msg).map(|m| MetricFilterMatchRecord {
                event_number: i as i64 + 1,
                event_message: msg.clone(),
                extracted_values: m.extracted_values(),
            })
        })
        .collect();
    Ok(TestMetricFilterOutput { matches })
}

pub(super) fn describe_metric_filters(
    store: &LogStore,
    ctx: &CallContext,
    input: DescribeMetricFiltersInput,
) -> Result<DescribeMetricFiltersOutput, ApiError> {
    let page = store
        .describe_metric_filters(
            ctx.account.as_str(),
            &ctx.region,
            &MetricFilterQuery {
                group: input.log_group_name,
                name_prefix: input.filter_name_prefix,
                metric_name: input.metric_name,
                metric_namespace: input.metric_namespace,
                limit: input.limit,
                next_token: input.next_token,
            },
        )
        .map_err(api_error)?;
    Ok(DescribeMetricFiltersOutput {
        metric_filters: page
            .filters
            .into_iter()
            .map(|f| MetricFilterShape {
                filter_name: f.name,
                filter_pattern: f.pattern,
                metric_transformations: f
                    .transformations
                    .into_iter()
                    .map(|t| MetricTransformationShape {
                        metric_name: t.metric_name,
                        metric_namespace: t.metric_namespace,
                        metric_value: t.metric_value,
                        default_value: t.default_value,
                        dimensions: (!t.dimensions.is_empty()).then_some(t.dimensions),
                        unit: t.unit,
                    })
                    .collect(),
                creation_time: f.creation_time,
                log_group_name: f.log_group_name,
                apply_on_transformed_logs: false,
            })
            .collect(),
        next_token: page.next_token,
    })
}
