//! PutAnomalyDetector, DescribeAnomalyDetectors and DeleteAnomalyDetector: shapes and handlers
//! over `openwatch_metrics::anomaly` (models, detectors and their storage live there).

use openwatch_metrics::anomaly::{
    DescribeRequest, DescribedDetector, DetectorConfig, DetectorTarget, StoredQuery,
};
use openwatch_metrics::{Metrics, MetricsError};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::errors::{metrics_error, missing};
use super::metric_data::{MetricDataQueryShape, MetricStatShape, data_queries};
use super::{DimensionShape, MetricShape};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RangeShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnomalyDetectorConfigurationShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_time_ranges: Option<Vec<RangeShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_timezone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricCharacteristicsShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_spikes: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SingleMetricAnomalyDetectorShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricMathAnomalyDetectorShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_data_queries: Option<Vec<MetricDataQueryShape>>,
}

/// The input of PutAnomalyDetector and DeleteAnomalyDetector (the latter adds the id).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnomalyDetectorInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly_detector_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<AnomalyDetectorConfigurationShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_characteristics: Option<MetricCharacteristicsShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_metric_anomaly_detector: Option<SingleMetricAnomalyDetectorShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_math_anomaly_detector: Option<MetricMathAnomalyDetectorShape>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutAnomalyDetectorOutput {
    pub anomaly_detector_id: String,
}

#[derive(Debug, Serialize)]
pub struct DeleteAnomalyDetectorOutput {}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAnomalyDetectorsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly_detector_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly_detector_types: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnomalyDetectorShape {
    pub anomaly_detector_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Vec<DimensionShape>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    pub configuration: AnomalyDetectorConfigurationShape,
    pub state_value: String,
    pub metric_characteristics: MetricCharacteristicsShape,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_metric_anomaly_detector: Option<SingleMetricAnomalyDetectorShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_math_anomaly_detector: Option<MetricMathAnomalyDetectorShape>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAnomalyDetectorsOutput {
    pub anomaly_detectors: Vec<AnomalyDetectorShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn combination(a: &str, b: &str) -> ApiError {
    metrics_error(MetricsError::InvalidParameterCombination(format!(
        "The parameters {a} and {b} are mutually exclusive and you have specified both."
    )))
}

fn dims_of(d: Option<Vec<DimensionShape>>) -> Vec<(String, String)> {
    d.unwrap_or_default()
        .into_iter()
        .map(|d| (d.name, d.value))
        .collect()
}

/// The target an input names (legacy top-level fields, SingleMetricAnomalyDetector or
/// MetricMathAnomalyDetector); `None` if it names none.
fn target_of(
    ctx: &CallContext,
    input: &mut AnomalyDetectorInput,
) -> Result<Option<DetectorTarget>, ApiError> {
    let legacy = input.namespace.is_some()
        || input.metric_name.is_some()
        || input.dimensions.is_some()
        || input.stat.is_some();
    let single = input.single_metric_anomaly_detector.take();
    let math = input.metric_math_anomaly_detector.take();
    let legacy_fields = "Namespace, MetricName, Dimensions, Stat";
    let both = match (legacy, single.is_some(), math.is_some()) {
        (true, true, _) => Some(("SingleMetricAnomalyDetector", legacy_fields)),
        (true, _, true) => Some(("MetricMathAnomalyDetector", legacy_fields)),
        (_, true, true) => Some(("SingleMetricAnomalyDetector", "MetricMathAnomalyDetector")),
        _ => None,
    };
    if let Some((a, b)) = both {
        return Err(combination(a, b));
    }
    if let Some(m) = math {
        let shapes = m
            .metric_data_queries
            .ok_or_else(|| missing("MetricMathAnomalyDetector.MetricDataQueries"))?;
        let queries = data_queries(shapes, "MetricMathAnomalyDetector.MetricDataQueries")?;
        return Ok(Some(DetectorTarget::Math {
            queries: queries.iter().map(StoredQuery::from_query).collect(),
        }));
    }
    let (prefix, namespace, metric_name, dimensions, stat) = match single {
        Some(s) => {
            if let Some(acct) = &s.account_id
                && acct != ctx.account.as_str()
            {
                return Err(metrics_error(MetricsError::InvalidParameterValue(format!(
                    "The value {acct} for parameter SingleMetricAnomalyDetector.AccountId is invalid: account {acct} is not linked to this account."
                ))));
            }
            (
                "SingleMetricAnomalyDetector.",
                s.namespace,
                s.metric_name,
                s.dimensions,
                s.stat,
            )
        }
        None if legacy => (
            "",
            input.namespace.take(),
            input.metric_name.take(),
            input.dimensions.take(),
            input.stat.take(),
        ),
        None => return Ok(None),
    };
    Ok(Some(DetectorTarget::Single {
        namespace: namespace.ok_or_else(|| missing(&format!("{prefix}Namespace")))?,
        metric_name: metric_name.ok_or_else(|| missing(&format!("{prefix}MetricName")))?,
        dimensions: dims_of(dimensions),
        stat: stat.ok_or_else(|| missing(&format!("{prefix}Stat")))?,
    }))
}

pub(super) fn put_anomaly_detector(
    metrics: &Metrics,
    ctx: &CallContext,
    mut input: AnomalyDetectorInput,
) -> Result<PutAnomalyDetectorOutput, ApiError> {
    let target =
        target_of(ctx, &mut input)?.ok_or_else(|| missing("SingleMetricAnomalyDetector"))?;
    let conf = input.configuration.unwrap_or_default();
    let mut excluded = Vec::new();
    for (i, r) in conf
        .excluded_time_ranges
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("Configuration.ExcludedTimeRanges.member.{}", i + 1);
        let start = r
            .start_time
            .ok_or_else(|| missing(&format!("{path}.StartTime")))?;
        let end = r
            .end_time
            .ok_or_else(|| missing(&format!("{path}.EndTime")))?;
        excluded.push((start.millis(), end.millis()));
    }
    let config = DetectorConfig {
        excluded,
        timezone: conf.metric_timezone,
        periodic_spikes: input.metric_characteristics.and_then(|c| c.periodic_spikes),
    };
    let id = metrics
        .put_anomaly_detector(ctx.account.as_str(), &ctx.region, target, config)
        .map_err(metrics_error)?;
    Ok(PutAnomalyDetectorOutput {
        anomaly_detector_id: id,
    })
}

pub(super) fn delete_anomaly_detector(
    metrics: &Metrics,
    ctx: &CallContext,
    mut input: AnomalyDetectorInput,
) -> Result<DeleteAnomalyDetectorOutput, ApiError> {
    let id = input.anomaly_detector_id.take();
    let target = target_of(ctx, &mut input)?;
    if id.is_none() && target.is_none() {
        return Err(missing("AnomalyDetectorId"));
    }
    metrics
        .delete_anomaly_detector(ctx.account.as_str(), &ctx.region, id.as_deref(), target)
        .map_err(metrics_error)?;
    Ok(DeleteAnomalyDetectorOutput {})
}

fn query_shape(q: &StoredQuery) -> MetricDataQueryShape {
    let d = q.to_query();
    MetricDataQueryShape {
        id: Some(d.id),
        metric_stat: q.metric.as_ref().map(|_| MetricStatShape {
            metric: MetricShape {
                namespace: Some(d.metric.namespace),
                metric_name: Some(d.metric.metric_name),
                dimensions: Some(
                    d.metric
                        .dimensions
                        .into_iter()
                        .map(|x| DimensionShape {
                            name: x.name.to_string(),
                            value: x.value.to_string(),
                        })
                        .collect(),
                ),
            },
            period: Some(d.period),
            stat: Some(d.stat),
            unit: d.unit,
        }),
        expression: d.expression,
        label: d.label,
        return_data: Some(d.return_data),
        period: q
            .expression
            .as_ref()
            .filter(|_| q.period > 0)
            .map(|_| q.period),
        account_id: None,
    }
}

fn detector_shape(ctx: &CallContext, d: DescribedDetector) -> AnomalyDetectorShape {
    let det = d.detector;
    let configuration = AnomalyDetectorConfigurationShape {
        excluded_time_ranges: Some(
            det.config
                .excluded
                .iter()
                .map(|(s, e)| RangeShape {
                    start_time: Some(Timestamp::from_millis(*s)),
                    end_time: Some(Timestamp::from_millis(*e)),
                })
                .collect(),
        ),
        metric_timezone: det.config.timezone.clone(),
    };
    let metric_characteristics = MetricCharacteristicsShape {
        periodic_spikes: Some(det.config.periodic_spikes.unwrap_or(false)),
    };
    let mut out = AnomalyDetectorShape {
        anomaly_detector_id: det.id,
        namespace: None,
        metric_name: None,
        dimensions: None,
        stat: None,
        configuration,
        state_value: d.state.to_owned(),
        metric_characteristics,
        single_metric_anomaly_detector: None,
        metric_math_anomaly_detector: None,
    };
    match det.target {
        DetectorTarget::Single {
            namespace,
            metric_name,
            dimensions,
            stat,
        } => {
            let dims = || {
                dimensions
                    .iter()
                    .map(|(n, v)| DimensionShape {
                        name: n.clone(),
                        value: v.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            out.single_metric_anomaly_detector = Some(SingleMetricAnomalyDetectorShape {
                account_id: Some(ctx.account.as_str().to_owned()),
                namespace: Some(namespace.clone()),
                metric_name: Some(metric_name.clone()),
                dimensions: Some(dims()),
                stat: Some(stat.clone()),
            });
            out.namespace = Some(namespace);
            out.metric_name = Some(metric_name);
            out.dimensions = Some(dims());
            out.stat = Some(stat);
        }
        DetectorTarget::Math { queries } => {
            out.metric_math_anomaly_detector = Some(MetricMathAnomalyDetectorShape {
                metric_data_queries: Some(queries.iter().map(query_shape).collect()),
            });
        }
    }
    out
}

pub(super) fn describe_anomaly_detectors(
    metrics: &Metrics,
    ctx: &CallContext,
    input: DescribeAnomalyDetectorsInput,
) -> Result<DescribeAnomalyDetectorsOutput, ApiError> {
    let req = DescribeRequest {
        ids: input.anomaly_detector_ids.unwrap_or_default(),
        namespace: input.namespace,
        metric_name: input.metric_name,
        dimensions: dims_of(input.dimensions),
        types: input.anomaly_detector_types.unwrap_or_default(),
        max_results: input.max_results,
        next_token: input.next_token,
    };
    let page = metrics
        .describe_anomaly_detectors(ctx.account.as_str(), &ctx.region, &req)
        .map_err(metrics_error)?;
    Ok(DescribeAnomalyDetectorsOutput {
        anomaly_detectors: page
            .detectors
            .into_iter()
            .map(|d| detector_shape(ctx, d))
            .collect(),
        next_token: page.next_token,
    })
}
