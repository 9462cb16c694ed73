//! GetMetricStatistics: the request and datapoint shapes and the handler.

use std::collections::BTreeMap;

use openwatch_metrics::{MetricSpec, Metrics, StatisticsRequest};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::{metrics_error, missing};
use super::{DimensionShape, dims};

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistics: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DatapointShape {
    pub timestamp: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_count: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extended_statistics: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricStatisticsOutput {
    pub label: String,
    pub datapoints: Vec<DatapointShape>,
}

pub(super) fn get_metric_statistics(
    metrics: &Metrics,
    ctx: &CallContext,
    input: GetMetricStatisticsInput,
) -> Result<GetMetricStatisticsOutput, ApiError> {
    let namespace = input.namespace.ok_or_else(|| missing("Namespace"))?;
    let metric_name = input.metric_name.ok_or_else(|| missing("MetricName"))?;
    let start = input.start_time.ok_or_else(|| missing("StartTime"))?;
    let end = input.end_time.ok_or_else(|| missing("EndTime"))?;
    let period = input.period.ok_or_else(|| missing("Period"))?;
    let req = StatisticsRequest {
        metric: MetricSpec {
            namespace,
            metric_name: metric_name.clone(),
            dimensions: dims(input.dimensions),
        },
        start: start.millis(),
        end: end.millis(),
        period,
        statistics: input.statistics.unwrap_or_default(),
        extended_statistics: input.extended_statistics.unwrap_or_default(),
        unit: input.unit,
    };
    let points = metrics
        .statistics(ctx.account.as_str(), &ctx.region, &req)
        .map_err(metrics_error)?;
    let want_extended = !req.extended_statistics.is_empty();
    Ok(GetMetricStatisticsOutput {
        label: metric_name,
        datapoints: points
            .into_iter()
            .map(|p| DatapointShape {
                timestamp: Timestamp::from_millis(p.timestamp),
                sample_count: p.sample_count,
                average: p.average,
                sum: p.sum,
                minimum: p.minimum,
                maximum: p.maximum,
                unit: p.unit.map(|u| u.as_str().to_owned()),
                extended_statistics: want_extended.then(|| p.extended.into_iter().collect()),
            })
            .collect(),
    })
}
