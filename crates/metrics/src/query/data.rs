//! GetMetricData: MetricStat queries, metric-math expressions (with SEARCH) and Metrics Insights
//! queries, ordering, labels and pagination over the concatenated datapoints.

use std::collections::{BTreeMap, HashMap};

use super::{
    DEFAULT_MAX_DATAPOINTS, DataPage, DataRequest, DataResult, MAX_METRIC_DATA_QUERIES,
    check_period, decode_token, encode_token, parse_unit, plan,
};
use crate::engine::Metrics;
use crate::error::MetricsError;
use crate::index::{ListFilter, SeriesId};
use crate::insights;
use crate::math::{Frame, Series, Val};
use crate::stats::{Agg, Statistic};
use crate::validate::check_dimensions;

impl Metrics {
    /// Runs a Metrics Insights query: one series per group (label: the group's values), ordered
    /// and limited as asked. The flag tells whether the scan limit cut the candidates.
    fn run_insights(
        &self,
        account: &str,
        region: &str,
        q: &insights::Query,
        start: i64,
        end: i64,
        period: i64,
    ) -> Result<(Vec<Series>, bool), MetricsError> {
        let filter = ListFilter {
            namespace: Some(q.namespace.clone()),
            metric_name: Some(q.metric.clone()),
            ..ListFilter::default()
        };
        let (selected, partial) = {
            let st = self.state.read();
            let mut ids = st.index.list(
                account,
                region,
                &filter,
                None,
                insights::MAX_SERIES_SCANNED + 1,
            );
            let partial = ids.len() > insights::MAX_SERIES_SCANNED;
            ids.truncate(insights::MAX_SERIES_SCANNED);
            let selected: Vec<(SeriesId, Vec<String>)> = ids
                .into_iter()
                .filter_map(|id| {
                    let key = &st.index.get(id)?.key;
                    if !insights::selects(q, key) {
                        return None;
                    }
                    insights::group_of(q, key).map(|g| (id, g))
                })
                .collect();
            (selected, partial)
        };
        let Some((level, start)) = plan(self.now(), start, period) else {
            return Ok((Vec::new(), partial));
        };
        let mut groups: insights::Groups<BTreeMap<i64, Agg>> = BTreeMap::new();
        for (id, group) in selected {
            let aggs = self.aggregate(id, start, end, period * 1000, level, None, false, false)?;
            let g = groups.entry(group).or_default();
            for ((ts, _), agg) in aggs {
                g.entry(ts).or_default().merge(&agg);
            }
        }
        let stat = q.func.statistic();
        let mut out: Vec<(f64, Series)> = groups
            .into_iter()
            .map(|(group, buckets)| {
                let order_stat = q.order_by.map_or(stat, |(f, _)| f.statistic());
                let mut total = Agg::default();
                for a in buckets.values() {
                    total.merge(a);
                }
                let rank = order_stat.compute(&total).unwrap_or(f64::NAN);
                let points = buckets
                    .into_iter()
                    .filter_map(|(ts, a)| stat.compute(&a).map(|v| (ts, v)))
                    .collect();
                (
                    rank,
                    Series {
                        label: group.join(" "),
                        points,
                    },
                )
            })
            .collect();
        if let Some((_, desc)) = q.order_by {
            out.sort_by(|a, b| {
                let o = a.0.total_cmp(&b.0);
                if desc { o.reverse() } else { o }
            });
        }
        let limit = q
            .limit
            .unwrap_or(insights::MAX_SERIES_RETURNED)
            .min(insights::MAX_SERIES_RETURNED);
        out.truncate(limit);
        Ok((out.into_iter().map(|(_, s)| s).collect(), partial))
    }

    /// GetMetricData with `MetricStat` queries.
    pub fn get_metric_data(
        &self,
        account: &str,
        region: &str,
        req: &DataRequest,
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
        let mut seen = std::collections::HashSet::new();
        let mut planned = Vec::with_capacity(req.queries.len());
        let mut expressions: HashMap<String, crate::math::Expr> = HashMap::new();
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
        let mut metric_series: HashMap<String, Series> = HashMap::new();
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
            let label = q
                .label
                .clone()
                .unwrap_or_else(|| q.metric.metric_name.clone());
            metric_series.insert(q.id.clone(), Series { label, points });
        }
        let default_period = if min_period == i64::MAX {
            60
        } else {
            min_period
        };
        let mut insight_results: HashMap<String, Vec<Series>> = HashMap::new();
        let mut partial_ids = std::collections::HashSet::new();
        for (id, period, q) in &sql {
            let period = if *period > 0 { *period } else { default_period };
            let (series, partial) =
                self.run_insights(account, region, q, req.start, req.end, period)?;
            if partial {
                partial_ids.insert(id.clone());
            }
            insight_results.insert(id.clone(), series);
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
            visiting: std::collections::HashSet::new(),
            frame: Frame {
                grid: Vec::new(),
                period_s: default_period,
                metric_ids,
            },
        };
        // (id, label, points) of every returned series, in request order.
        let mut all: Vec<Labelled> = Vec::new();
        for q in &req.queries {
            if !q.return_data {
                continue;
            }
            let series = if let Some(found) = insight_results.get(&q.id) {
                found.clone()
            } else if q.expression.is_some() {
                let period = if q.period > 0 {
                    q.period
                } else {
                    default_period
                };
                let start = plan(now, req.start, period).map_or(req.start, |(_, s)| s);
                evaluator.frame.period_s = period;
                evaluator.frame.grid = (0..)
                    .map(|i| start + i * period * 1000)
                    .take_while(|t| *t < req.end)
                    .take(DEFAULT_MAX_DATAPOINTS)
                    .collect();
                evaluator.memo.clear();
                let val = evaluator.resolve(&q.id).map_err(|e| {
                    MetricsError::invalid(format!("Error in expression {}: {e}", q.id))
                })?;
                match val {
                    Val::Series(s) => vec![s],
                    Val::Array(a) => a,
                    Val::Scalar(_) => {
                        return Err(MetricsError::invalid(format!(
                            "Error in expression {}: the expression must return a time series.",
                            q.id
                        )));
                    }
                }
            } else {
                evaluator.metrics.get(&q.id).cloned().into_iter().collect()
            };
            let many = series.len() > 1;
            for s in series {
                let own = || q.label.clone().unwrap_or_else(|| q.id.clone());
                // MetricStat results and the members of an array keep their own label; a single
                // expression result takes the query's Label, else its Id.
                let keep_own = q.expression.is_none()
                    || (many && !s.label.is_empty())
                    || (insight_results.contains_key(&q.id) && !s.label.is_empty());
                let band = matches!(
                    evaluator.exprs.get(&q.id),
                    Some(crate::math::Expr::Call(f, _)) if f == "ANOMALY_DETECTION_BAND"
                );
                // A band's two series are "<label> Lower" and "<label> Upper".
                let label = if band {
                    format!("{} {}", own(), s.label)
                } else if keep_own {
                    s.label.clone()
                } else {
                    own()
                };
                let mut points = s.points;
                if !req.ascending {
                    points.reverse();
                }
                all.push((q.id.clone(), label, points, partial_ids.contains(&q.id)));
            }
        }
        // Pagination over the concatenated datapoints of every returned result.
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
        Ok(DataPage {
            results,
            next_token,
        })
    }
}

/// A returned series: query id, label, points, and whether the query hit a scan limit.
type Labelled = (String, String, Vec<(i64, f64)>, bool);

/// Resolves query ids for metric math: MetricStat and Insights results, and expressions
/// evaluated once each (cycles are errors); runs SEARCH against the engine.
struct Evaluator<'m> {
    engine: &'m Metrics,
    account: &'m str,
    region: &'m str,
    start: i64,
    end: i64,
    exprs: HashMap<String, crate::math::Expr>,
    insights: HashMap<String, Vec<Series>>,
    metrics: HashMap<String, Series>,
    queries: &'m [super::DataQuery],
    memo: HashMap<String, Val>,
    visiting: std::collections::HashSet<String>,
    frame: Frame,
}

impl Evaluator<'_> {
    fn resolve(&mut self, id: &str) -> Result<Val, String> {
        if let Some(s) = self.metrics.get(id) {
            return Ok(Val::Series(s.clone()));
        }
        if let Some(a) = self.insights.get(id) {
            return Ok(Val::Array(a.clone()));
        }
        if let Some(v) = self.memo.get(id) {
            return Ok(v.clone());
        }
        let Some(e) = self.exprs.get(id).cloned() else {
            return Err(format!("unknown query id {id}"));
        };
        if !self.visiting.insert(id.to_owned()) {
            return Err(format!("circular reference through {id}"));
        }
        let frame = self.frame.clone();
        let v = crate::math::eval(&e, &frame, self)?;
        self.visiting.remove(id);
        self.memo.insert(id.to_owned(), v.clone());
        Ok(v)
    }
}

impl crate::math::Env for Evaluator<'_> {
    fn lookup(&mut self, id: &str) -> Result<Val, String> {
        self.resolve(id)
    }

    fn anomaly_band(&mut self, id: &str, stddevs: f64) -> Result<Val, String> {
        crate::anomaly::band(
            self.engine,
            self.account,
            self.region,
            self.queries,
            id,
            stddevs,
            &self.frame,
        )
    }

    fn search(&mut self, expression: &str, stat: &str, period_s: i64) -> Result<Val, String> {
        let search = crate::search::parse(expression)?;
        let stat = Statistic::parse(stat).ok_or_else(|| format!("unknown statistic {stat}"))?;
        check_period(period_s, "Period").map_err(|e| e.to_string())?;
        let filter = ListFilter {
            namespace: search.namespace.clone(),
            ..ListFilter::default()
        };
        let matched: Vec<(SeriesId, String)> = {
            let st = self.engine.state.read();
            st.index
                .list(
                    self.account,
                    self.region,
                    &filter,
                    None,
                    insights::MAX_SERIES_SCANNED,
                )
                .into_iter()
                .filter_map(|id| {
                    let k = &st.index.get(id)?.key;
                    search.matches(k).then(|| {
                        let mut label = k.metric_name.to_string();
                        for d in k.dimensions.iter() {
                            label.push(' ');
                            label.push_str(&d.value);
                        }
                        (id, label)
                    })
                })
                .take(insights::MAX_SERIES_RETURNED)
                .collect()
        };
        let Some((level, start)) = plan(self.engine.now(), self.start, period_s) else {
            return Ok(Val::Array(Vec::new()));
        };
        let mut out = Vec::with_capacity(matched.len());
        for (id, label) in matched {
            let aggs = self
                .engine
                .aggregate(
                    id,
                    start,
                    self.end,
                    period_s * 1000,
                    level,
                    None,
                    false,
                    stat.is_extended(),
                )
                .map_err(|e| e.to_string())?;
            out.push(Series {
                label,
                points: aggs
                    .into_iter()
                    .filter_map(|((ts, _), agg)| stat.compute(&agg).map(|v| (ts, v)))
                    .collect(),
            });
        }
        Ok(Val::Array(out))
    }
}
