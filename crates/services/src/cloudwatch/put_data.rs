//! PutMetricData: the metric datum shapes and the handler.

use openwatch_metrics::{MetricDatum, Metrics, StatisticSet};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::metrics_error;
use super::{DimensionShape, dims};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatisticSetShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_count: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDatumShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic_values: Option<StatisticSetShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_resolution: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricDataInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_data: Option<Vec<MetricDatumShape>>,
}

#[derive(Debug, Default, Serialize)]
pub struct PutMetricDataOutput {}

pub(super) async fn put_metric_data(
    metrics: &Metrics,
    ctx: CallContext,
    input: PutMetricDataInput,
) -> Result<PutMetricDataOutput, ApiError> {
    let data: Vec<MetricDatum> = input
        .metric_data
        .unwrap_or_default()
        .into_iter()
        .map(|d| MetricDatum {
            metric_name: d.metric_name,
            dimensions: dims(d.dimensions),
            timestamp: d.timestamp.map(Timestamp::millis),
            value: d.value,
            statistic_values: d.statistic_values.map(|s| StatisticSet {
                sample_count: s.sample_count,
                sum: s.sum,
                minimum: s.minimum,
                maximum: s.maximum,
            }),
            values: d.values.unwrap_or_default(),
            counts: d.counts.unwrap_or_default(),
            unit: d.unit,
            storage_resolution: d.storage_resolution,
        })
        .collect();
    metrics
        .put_async(
            ctx.account.as_str(),
            &ctx.region,
            input.namespace.as_deref(),
            &data,
        )
        .await
        .map_err(metrics_error)?;
    Ok(PutMetricDataOutput {})
}
