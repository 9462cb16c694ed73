//! ListMetrics: the metric and dimension filter shapes and the handler.

use openwatch_metrics::{ListMetricsRequest, Metrics};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::DimensionShape;
use super::errors::metrics_error;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionFilterShape {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMetricsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionFilterShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recently_active: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_linked_accounts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owning_account: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMetricsOutput {
    pub metrics: Vec<MetricShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub(super) fn metric_shape(m: openwatch_metrics::MetricId) -> MetricShape {
    MetricShape {
        namespace: Some(m.namespace),
        metric_name: Some(m.metric_name),
        dimensions: Some(
            m.dimensions
                .into_iter()
                .map(|d| DimensionShape {
                    name: d.name,
                    value: d.value,
                })
                .collect(),
        ),
    }
}

pub(super) fn list_metrics(
    metrics: &Metrics,
    ctx: &CallContext,
    input: ListMetricsInput,
) -> Result<ListMetricsOutput, ApiError> {
    let req = ListMetricsRequest {
        namespace: input.namespace,
        metric_name: input.metric_name,
        dimensions: input
            .dimensions
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.name, d.value))
            .collect(),
        recently_active: input.recently_active,
        next_token: input.next_token,
    };
    let page = metrics
        .list_metrics(ctx.account.as_str(), &ctx.region, &req)
        .map_err(metrics_error)?;
    Ok(ListMetricsOutput {
        metrics: page.metrics.into_iter().map(metric_shape).collect(),
        next_token: page.next_token,
    })
}
