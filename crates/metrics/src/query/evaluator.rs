//! Resolves query ids for metric math in GetMetricData: MetricStat and Insights results, and
//! expressions evaluated once each (cycles are errors); runs SEARCH against the engine and keeps
//! the properties of every series it found, for dynamic labels.

use std::collections::{HashMap, HashSet};

use super::labels::SeriesProps;
use super::{DataQuery, check_period, plan};
use crate::engine::Metrics;
use crate::index::{ListFilter, SeriesId};
use crate::insights;
use crate::math::{Expr, Frame, Series, Val};
use crate::stats::Statistic;

pub(super) struct Evaluator<'m> {
    pub engine: &'m Metrics,
    pub account: &'m str,
    pub region: &'m str,
    pub start: i64,
    pub end: i64,
    pub exprs: HashMap<String, Expr>,
    pub insights: HashMap<String, Vec<Series>>,
    pub metrics: HashMap<String, Series>,
    pub queries: &'m [DataQuery],
    pub memo: HashMap<String, Val>,
    pub visiting: HashSet<String>,
    pub frame: Frame,
    /// Properties of the series SEARCH returned, by their label.
    pub found: HashMap<String, SeriesProps>,
}

impl Evaluator<'_> {
    pub fn resolve(&mut self, id: &str) -> Result<Val, String> {
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

    fn search(&mut self, expression: &str, stat_name: &str, period_s: i64) -> Result<Val, String> {
        let search = crate::search::parse(expression)?;
        let stat =
            Statistic::parse(stat_name).ok_or_else(|| format!("unknown statistic {stat_name}"))?;
        check_period(period_s, "Period").map_err(|e| e.to_string())?;
        let filter = ListFilter {
            namespace: search.namespace.clone(),
            ..ListFilter::default()
        };
        let matched: Vec<(SeriesId, String, SeriesProps)> = {
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
                        let props = SeriesProps {
                            namespace: k.namespace.to_string(),
                            metric_name: k.metric_name.to_string(),
                            dimensions: k
                                .dimensions
                                .iter()
                                .map(|d| (d.name.to_string(), d.value.to_string()))
                                .collect(),
                            stat: stat_name.to_owned(),
                            period_s,
                        };
                        (id, label, props)
                    })
                })
                .take(insights::MAX_SERIES_RETURNED)
                .collect()
        };
        let Some((level, start)) = plan(self.engine.now(), self.start, period_s) else {
            return Ok(Val::Array(Vec::new()));
        };
        let mut out = Vec::with_capacity(matched.len());
        for (id, label, props) in matched {
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
            self.found.entry(label.clone()).or_insert(props);
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
