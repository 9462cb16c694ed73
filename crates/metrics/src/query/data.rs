//! GetMetricData: MetricStat queries, metric-math expressions (with SEARCH) and Metrics Insights
//! queries, ordering, labels and pagination over the concatenated datapoints.

use std::collections::{HashMap, HashSet};

use super::evaluator::Evaluator;
use super::labels::{LabelContext, LabelOptions, SeriesProps, render};
use super::{
    DEFAULT_MAX_DATAPOINTS, DataPage, DataQuery, DataRequest, DataResult, MAX_METRIC_DATA_QUERIES,
    check_period, decode_token, encode_token, parse_unit, plan,
};
use crate::engine::Metrics;
use crate::error::MetricsError;
use crate::insights;
use crate::math::{Expr, Frame, Series, Val};
use crate::stats::Statistic;
use crate::validate::check_dimensions;

impl Metrics {
    /// GetMetricData: MetricStat queries, metric math (with SEARCH) and Metrics Insights, with
    /// labels rendered in UTC.
    pub fn get_metric_data(
        &self,
        account: &str,
        region: &str,
        req: &DataRequest,
    ) -> Result<DataPage, MetricsError> {
        self.get_metric_data_with(account, region, req, LabelOptions::default())
    }

    /// GetMetricData with `LabelOptions`: time-valued dynamic labels render in its timezone.
    pub fn get_metric_data_with(
        &self,
        account: &str,
        region: &str,
        req: &DataRequest,
        options: LabelOptions,
    ) -> Result<DataPage, MetricsError> {
        if req.queries.is_empty() {
            return Err(MetricsError::missing(
                "The parameter MetricDataQueries is required.",
            ));
        }
        if req.queries.len() > MAX_METRIC_DATA_QUERIES {
            return Err(MetricsError::invalid(format!(
                "The collection MetricDataQueries must not have a size greater than {MAX_METRIC_DATA_QUERIES}."
            )));
        }
        if req.start >= req.end {
            return Err(MetricsError::invalid(
                "The parameter StartTime must be less than the parameter EndTime.",
            ));
        }
        let max = match req.max_datapoints {
            None => DEFAULT_MAX_DATAPOINTS,
            Some(n) if n >= 1 => n as usize,
            Some(n) => {
                return Err(MetricsError::invalid(format!(
                    "The value {n} for parameter MaxDatapoints is invalid."
                )));
            }
        };
        let skip = req
            .next_token
            .as_deref()
            .map(|t| decode_token("gmd1.", t))
            .transpose()?
            .unwrap_or(0) as usize;
        let mut seen = HashSet::new();
        let mut planned = Vec::with_capacity(req.queries.len());
        let mut expressions: HashMap<String, Expr> = HashMap::new();
        let mut sql: Vec<(String, i64, insights::Query)> = Vec::new();
        for (i, q) in req.queries.iter().enumerate() {
            let path = format!("MetricDataQueries.member.{}", i + 1);
            let valid_id = q.id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && q.id.len() <= 255;
            if !valid_id {
                return Err(MetricsError::invalid(format!(
                    "The value {} for parameter {path}.Id is invalid. Ids must start with a lowercase letter and contain only letters, numbers and underscores.",
                    q.id
                )));
            }
            if !seen.insert(q.id.clone()) {
                return Err(MetricsError::invalid(format!(
                    "The value {} for parameter {path}.Id is already used by another query.",
                    q.id
                )));
            }
            if let Some(text) = q.expression.as_deref().filter(|t| insights::is_insights(t)) {
                let parsed = insights::parse(text).map_err(|e| {
                    MetricsError::invalid(format!("Error in expression {}: {e}", q.id))
                })?;
                if q.period != 0 {
                    check_period(q.period, &format!("{path}.Period"))?;
                }
                if !sql.is_empty() {
                    return Err(MetricsError::invalid(format!(
                        "The value {} for parameter {path}.Expression is invalid. A GetMetricData request can include only one Metrics Insights query.",
                        q.id
                    )));
                }
                sql.push((q.id.clone(), q.period, parsed));
                continue;
            }
            if let Some(text) = &q.expression {
                let expr = crate::math::parse(text).map_err(|e| {
                    MetricsError::invalid(format!("Error in expression {}: {e}", q.id))
                })?;
                if q.period != 0 {
                    check_period(q.period, &format!("{path}.Period"))?;
                }
                expressions.insert(q.id.clone(), expr);
                continue;
            }
            let stat = Statistic::parse(&q.stat).ok_or_else(|| {
                MetricsError::invalid(format!(
                    "The value {} for parameter {path}.MetricStat.Stat is invalid.",
                    q.stat
                ))
            })?;
            check_period(q.period, &format!("{path}.MetricStat.Period"))?;
            check_dimensions(
                &format!("{path}.MetricStat.Metric.Dimensions"),
                &q.metric.dimensions,
            )?;
            let unit = parse_unit(q.unit.as_deref(), &format!("{path}.MetricStat.Unit"))?;
            planned.push((q, stat, unit));
        }
        let now = self.now();
        let ctx = LabelContext {
            account,
            region,
            now,
            options,
        };
        let mut metric_series: HashMap<String, Series> = HashMap::new();
        let mut metric_props: HashMap<String, SeriesProps> = HashMap::new();
        let mut found: HashMap<String, SeriesProps> = HashMap::new();
        let mut metric_ids = Vec::new();
        let mut min_period = i64::MAX;
        for (q, stat, unit) in planned {
            let mut points: Vec<(i64, f64)> = Vec::new();
            min_period = min_period.min(q.period);
            if let (Some(id), Some((level, start))) = (
                self.find_series(account, region, &q.metric),
                plan(now, req.start, q.period),
            ) {
                let aggs = self.aggregate(
                    id,
                    start,
                    req.end,
                    q.period * 1000,
                    level,
                    unit,
                    false,
                    stat.is_extended(),
                )?;
                points = aggs
                    .into_iter()
                    .filter_map(|((ts, _), agg)| stat.compute(&agg).map(|v| (ts, v)))
                    .collect();
            }
            metric_ids.push(q.id.clone());
            let props = SeriesProps {
                namespace: q.metric.namespace.clone(),
                metric_name: q.metric.metric_name.clone(),
                dimensions: q
                    .metric
                    .dimensions
                    .iter()
                    .map(|d| (d.name.to_string(), d.value.to_string()))
                    .collect(),
                stat: q.stat.clone(),
                period_s: q.period,
            };
            // A MetricStat's default label is its metric name.
            let label = q.label.as_deref().map_or_else(
                || q.metric.metric_name.clone(),
                |t| render(t, &q.metric.metric_name, &props, &points, &ctx),
            );
            found.entry(label.clone()).or_insert_with(|| props.clone());
            metric_props.insert(q.id.clone(), props);
            metric_series.insert(q.id.clone(), Series { label, points });
        }
        let default_period = if min_period == i64::MAX {
            60
        } else {
            min_period
        };
        let mut insight_results: HashMap<String, Vec<Series>> = HashMap::new();
        let mut insight_props: HashMap<String, Vec<SeriesProps>> = HashMap::new();
        let mut partial_ids = HashSet::new();
        for (id, period, q) in &sql {
            let period = if *period > 0 { *period } else { default_period };
            let (series, partial) =
                self.run_insights(account, region, q, req.start, req.end, period)?;
            if partial {
                partial_ids.insert(id.clone());
            }
            let (series, props): (Vec<Series>, Vec<SeriesProps>) = series.into_iter().unzip();
            insight_results.insert(id.clone(), series);
            insight_props.insert(id.clone(), props);
        }
        let mut evaluator = Evaluator {
            engine: self,
            account,
            region,
            start: req.start,
            end: req.end,
            exprs: expressions,
            insights: insight_results.clone(),
            metrics: metric_series,
            queries: &req.queries,
            memo: HashMap::new(),
            visiting: HashSet::new(),
            frame: Frame {
                grid: Vec::new(),
                period_s: default_period,
                metric_ids,
            },
            found,
        };
        // (id, label, points, partial) of every returned series, in request order.
        let mut all: Vec<Labelled> = Vec::new();
        for q in &req.queries {
            if !q.return_data {
                continue;
            }
            let mut period = q.period;
            let mut band = false;
            // Each series with its label without `Label` and its properties.
            let series: Vec<(Series, String, SeriesProps)> =
                if let Some(found) = insight_results.get(&q.id) {
                    let props = insight_props.remove(&q.id).unwrap_or_default();
                    found
                        .iter()
                        .cloned()
                        .zip(props)
                        .map(|(s, p)| {
                            let default = own_or_id(&s.label, q);
                            (s, default, p)
                        })
                        .collect()
                } else if q.expression.is_some() {
                    if period <= 0 {
                        period = default_period;
                    }
                    band = matches!(
                        evaluator.exprs.get(&q.id),
                        Some(Expr::Call(f, _)) if f == "ANOMALY_DETECTION_BAND"
                    );
                    let val = evaluate(&mut evaluator, q, now, req, period)?;
                    let expression_props = SeriesProps {
                        period_s: period,
                        ..SeriesProps::default()
                    };
                    match val {
                        Val::Series(s) => vec![(s, q.id.clone(), expression_props)],
                        Val::Array(a) => a
                            .into_iter()
                            .map(|s| {
                                let props = evaluator
                                    .found
                                    .get(&s.label)
                                    .cloned()
                                    .unwrap_or_else(|| expression_props.clone());
                                let default = if band {
                                    format!("{} {}", q.id, s.label)
                                } else {
                                    own_or_id(&s.label, q)
                                };
                                (s, default, props)
                            })
                            .collect(),
                        Val::Scalar(_) => {
                            return Err(MetricsError::invalid(format!(
                                "Error in expression {}: the expression must return a time series.",
                                q.id
                            )));
                        }
                    }
                } else {
                    // MetricStat: its label is rendered already.
                    let props = metric_props.get(&q.id).cloned().unwrap_or_default();
                    evaluator
                        .metrics
                        .get(&q.id)
                        .cloned()
                        .map(|s| {
                            let label = s.label.clone();
                            (s, label, props)
                        })
                        .into_iter()
                        .collect()
                };
            for (s, default, props) in series {
                let label = match q.label.as_deref() {
                    _ if q.expression.is_none() => default,
                    // A band's two series are "<label> Lower" and "<label> Upper".
                    Some(t) if band => {
                        format!("{} {}", render(t, &q.id, &props, &s.points, &ctx), s.label)
                    }
                    Some(t) => render(t, &default, &props, &s.points, &ctx),
                    None => default,
                };
                let mut points = s.points;
                if !req.ascending {
                    points.reverse();
                }
                all.push((q.id.clone(), label, points, partial_ids.contains(&q.id)));
            }
        }
        Ok(paginate(all, skip, max))
    }
}

/// A series' own label, or the query's id if it has none.
fn own_or_id(label: &str, q: &DataQuery) -> String {
    if label.is_empty() {
        q.id.clone()
    } else {
        label.to_owned()
    }
}

/// Evaluates expression query `q` on the grid of `period` seconds over the request's range.
fn evaluate(
    evaluator: &mut Evaluator<'_>,
    q: &DataQuery,
    now: i64,
    req: &DataRequest,
    period: i64,
) -> Result<Val, MetricsError> {
    let start = plan(now, req.start, period).map_or(req.start, |(_, s)| s);
    evaluator.frame.period_s = period;
    evaluator.frame.grid = (0..)
        .map(|i| start + i * period * 1000)
        .take_while(|t| *t < req.end)
        .take(DEFAULT_MAX_DATAPOINTS)
        .collect();
    evaluator.memo.clear();
    evaluator
        .resolve(&q.id)
        .map_err(|e| MetricsError::invalid(format!("Error in expression {}: {e}", q.id)))
}

/// Pagination over the concatenated datapoints of every returned result: `max` datapoints
/// from `skip`.
fn paginate(all: Vec<Labelled>, skip: usize, max: usize) -> DataPage {
    let total: usize = all.iter().map(|(_, _, p, _)| p.len()).sum();
    let (from, to) = (skip.min(total), skip.saturating_add(max).min(total));
    let mut offset = 0usize;
    let mut results = Vec::new();
    for (id, label, points, partial) in all {
        let n = points.len();
        let (a, b) = (
            from.clamp(offset, offset + n) - offset,
            to.clamp(offset, offset + n) - offset,
        );
        let complete = a == 0 && b == n && !partial;
        let (timestamps, values): (Vec<i64>, Vec<f64>) = points[a..b].iter().copied().unzip();
        results.push(DataResult {
            id,
            label,
            timestamps,
            values,
            status_code: if complete { "Complete" } else { "PartialData" },
            messages: if partial {
                vec![(
                    "MaxQueryTimeSeries".to_owned(),
                    format!(
                        "The query scanned the first {} matching series only.",
                        insights::MAX_SERIES_SCANNED
                    ),
                )]
            } else {
                Vec::new()
            },
        });
        offset += n;
    }
    let next_token = (to < total).then(|| encode_token("gmd1.", to as u64));
    DataPage {
        results,
        next_token,
    }
}

/// A returned series: query id, label, points, and whether the query hit a scan limit.
type Labelled = (String, String, Vec<(i64, f64)>, bool);
