//! CloudWatch metrics over every CloudWatch protocol (rpc-v2-cbor, JSON 1.0, query):
//! PutMetricData, ListMetrics, GetMetricStatistics and GetMetricData (MetricStat queries and
//! metric-math expressions). Shapes follow the
//! `monitoring` 2010-08-01 model; the logic is in `openwatch-metrics`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_metrics::{
    DataQuery, DataRequest, Dimension, ListMetricsRequest, MetricDatum, MetricSpec, Metrics,
    MetricsError, StatisticSet, StatisticsRequest,
};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Timestamp};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionShape {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStatShape {
    #[serde(default)]
    pub metric: MetricShape,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQueryShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStatShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LabelOptionsShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricDataInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_data_queries: Option<Vec<MetricDataQueryShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_datapoints: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_options: Option<LabelOptionsShape>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageDataShape {
    pub code: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataResultShape {
    pub id: String,
    pub label: String,
    pub timestamps: Vec<Timestamp>,
    pub values: Vec<f64>,
    pub status_code: String,
    pub messages: Vec<MessageDataShape>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricDataOutput {
    pub metric_data_results: Vec<MetricDataResultShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub messages: Vec<MessageDataShape>,
}

pub fn register(registry: &mut Registry, metrics: Arc<Metrics>) {
    let m = Arc::clone(&metrics);
    registry.add(Operation::new(
        Service::CloudWatch,
        "PutMetricData",
        move |ctx, input| {
            let m = Arc::clone(&m);
            async move { put_metric_data(&m, ctx, input).await }
        },
    ));
    let m = Arc::clone(&metrics);
    registry.add(
        Operation::new(Service::CloudWatch, "ListMetrics", move |ctx, input| {
            let m = Arc::clone(&m);
            async move { list_metrics(&m, &ctx, input) }
        })
        .read_only(),
    );
    let m = Arc::clone(&metrics);
    registry.add(
        Operation::new(
            Service::CloudWatch,
            "GetMetricStatistics",
            move |ctx, input| {
                let m = Arc::clone(&m);
                async move { get_metric_statistics(&m, &ctx, input) }
            },
        )
        .read_only(),
    );
    let m = metrics;
    registry.add(
        Operation::new(Service::CloudWatch, "GetMetricData", move |ctx, input| {
            let m = Arc::clone(&m);
            async move { get_metric_data(&m, &ctx, input) }
        })
        .read_only(),
    );
}

/// Maps an engine error to CloudWatch's error shape and awsQuery code.
pub fn metrics_error(e: MetricsError) -> ApiError {
    match e {
        MetricsError::InvalidParameterValue(m) => {
            ApiError::new(400, "InvalidParameterValueException", m)
                .with_query_code("InvalidParameterValue")
        }
        MetricsError::MissingParameter(m) => {
            ApiError::new(400, "MissingRequiredParameterException", m)
                .with_query_code("MissingParameter")
        }
        MetricsError::InvalidParameterCombination(m) => {
            ApiError::new(400, "InvalidParameterCombinationException", m)
                .with_query_code("InvalidParameterCombination")
        }
        MetricsError::InvalidNextToken(m) => {
            ApiError::new(400, "InvalidNextToken", m).with_query_code("InvalidNextToken")
        }
        other => ApiError::internal(other),
    }
}

fn missing(name: &str) -> ApiError {
    metrics_error(MetricsError::MissingParameter(format!(
        "The parameter {name} is required."
    )))
}

fn dims(d: Option<Vec<DimensionShape>>) -> Vec<Dimension> {
    d.unwrap_or_default()
        .into_iter()
        .map(|d| Dimension::new(d.name, d.value))
        .collect()
}

async fn put_metric_data(
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

fn metric_shape(m: openwatch_metrics::MetricId) -> MetricShape {
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

fn list_metrics(
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

fn get_metric_statistics(
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

fn get_metric_data(
    metrics: &Metrics,
    ctx: &CallContext,
    input: GetMetricDataInput,
) -> Result<GetMetricDataOutput, ApiError> {
    let shapes = input
        .metric_data_queries
        .ok_or_else(|| missing("MetricDataQueries"))?;
    let start = input.start_time.ok_or_else(|| missing("StartTime"))?;
    let end = input.end_time.ok_or_else(|| missing("EndTime"))?;
    let ascending = match input.scan_by.as_deref() {
        None | Some("TimestampDescending") => false,
        Some("TimestampAscending") => true,
        Some(other) => {
            return Err(metrics_error(MetricsError::InvalidParameterValue(format!(
                "The value {other} for parameter ScanBy is invalid. Valid values are TimestampDescending and TimestampAscending."
            ))));
        }
    };
    let mut queries = Vec::with_capacity(shapes.len());
    for (i, q) in shapes.into_iter().enumerate() {
        let path = format!("MetricDataQueries.member.{}", i + 1);
        let id = q.id.ok_or_else(|| missing(&format!("{path}.Id")))?;
        match (q.metric_stat, q.expression) {
            (Some(_), Some(_)) => {
                return Err(metrics_error(MetricsError::InvalidParameterCombination(
                    format!(
                        "The parameters {path}.MetricStat and {path}.Expression are mutually exclusive and you have specified both."
                    ),
                )));
            }
            (None, None) => {
                return Err(metrics_error(MetricsError::MissingParameter(format!(
                    "Exactly one of the parameters {path}.MetricStat and {path}.Expression must be specified."
                ))));
            }
            (None, Some(expression)) => queries.push(DataQuery {
                id,
                period: q.period.unwrap_or(0),
                expression: Some(expression),
                label: q.label,
                return_data: q.return_data.unwrap_or(true),
                ..DataQuery::default()
            }),
            (Some(stat), None) => {
                queries.push(DataQuery {
                    id,
                    metric: MetricSpec {
                        namespace: stat.metric.namespace.ok_or_else(|| {
                            missing(&format!("{path}.MetricStat.Metric.Namespace"))
                        })?,
                        metric_name: stat.metric.metric_name.ok_or_else(|| {
                            missing(&format!("{path}.MetricStat.Metric.MetricName"))
                        })?,
                        dimensions: dims(stat.metric.dimensions),
                    },
                    period: stat
                        .period
                        .ok_or_else(|| missing(&format!("{path}.MetricStat.Period")))?,
                    stat: stat
                        .stat
                        .ok_or_else(|| missing(&format!("{path}.MetricStat.Stat")))?,
                    unit: stat.unit,
                    expression: None,
                    label: q.label,
                    return_data: q.return_data.unwrap_or(true),
                })
            }
        }
    }
    let page = metrics
        .get_metric_data(
            ctx.account.as_str(),
            &ctx.region,
            &DataRequest {
                queries,
                start: start.millis(),
                end: end.millis(),
                ascending,
                max_datapoints: input.max_datapoints,
                next_token: input.next_token,
            },
        )
        .map_err(metrics_error)?;
    Ok(GetMetricDataOutput {
        metric_data_results: page
            .results
            .into_iter()
            .map(|r| MetricDataResultShape {
                id: r.id,
                label: r.label,
                timestamps: r
                    .timestamps
                    .into_iter()
                    .map(Timestamp::from_millis)
                    .collect(),
                values: r.values,
                status_code: r.status_code.to_owned(),
                messages: r
                    .messages
                    .into_iter()
                    .map(|(code, value)| MessageDataShape { code, value })
                    .collect(),
            })
            .collect(),
        next_token: page.next_token,
        messages: Vec::new(),
    })
}
