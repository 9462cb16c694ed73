//! GetMetricData: MetricStat queries, metric-math expressions and Metrics Insights queries, their
//! shapes and the handler; `Label` may hold dynamic labels, rendered in `LabelOptions.Timezone`.

use openwatch_metrics::query::LabelOptions;
use openwatch_metrics::{DataQuery, DataRequest, MetricSpec, Metrics, MetricsError};
use openwatch_wire::{ApiError, CallContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::MetricShape;
use super::dims;
use super::errors::{metrics_error, missing};

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

pub(super) fn get_metric_data(
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
    let label_options = match input.label_options.and_then(|o| o.timezone) {
        None => LabelOptions::default(),
        Some(tz) => LabelOptions::parse_timezone(&tz).ok_or_else(|| {
            metrics_error(MetricsError::InvalidParameterValue(format!(
                "The value {tz} for parameter LabelOptions.Timezone is invalid. The format is + or - followed by four digits (HHMM)."
            )))
        })?,
    };
    let queries = data_queries(shapes, "MetricDataQueries")?;
    let page = metrics
        .get_metric_data_with(
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
            label_options,
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

/// The engine's queries of `MetricDataQuery` shapes; `list` names the parameter in messages.
pub(super) fn data_queries(
    shapes: Vec<MetricDataQueryShape>,
    list: &str,
) -> Result<Vec<DataQuery>, ApiError> {
    let mut queries = Vec::with_capacity(shapes.len());
    for (i, q) in shapes.into_iter().enumerate() {
        let path = format!("{list}.member.{}", i + 1);
        let id = q.id.ok_or_else(|| missing(&format!("{path}.Id")))?;
        if let Some(e) = &q.expression {
            check_expression_length(e, list, i + 1)?;
        }
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
    Ok(queries)
}

/// Most characters in an `Expression` (the model's length constraint, 1 to 2048).
pub const MAX_EXPRESSION_CHARS: usize = 2048;

/// The model's length constraint on `Expression`, reported as AWS reports constraint
/// violations: a `ValidationError` naming the member by its lowerCamel path.
fn check_expression_length(e: &str, list: &str, n: usize) -> Result<(), ApiError> {
    let len = e.chars().count();
    let bound = if len == 0 {
        "greater than or equal to 1".to_owned()
    } else if len > MAX_EXPRESSION_CHARS {
        format!("less than or equal to {MAX_EXPRESSION_CHARS}")
    } else {
        return Ok(());
    };
    let mut member = list.to_owned();
    if let Some(first) = member.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    Err(ApiError::new(
        400,
        "ValidationError",
        format!(
            "1 validation error detected: Value '{e}' at '{member}.{n}.member.expression' failed to satisfy constraint: Member must have length {bound}"
        ),
    )
    .with_query_code("ValidationError"))
}
