//! Runs one Metrics Insights query of GetMetricData against the engine: candidates from the
//! index, FROM/WHERE, groups (the null group `Other` for series lacking a key), per-period
//! aggregation of each group, then ORDER BY over each returned series and LIMIT. As the quotas
//! say, it reads the last two weeks only and aggregates high-resolution data per minute.

use std::collections::BTreeMap;

use super::labels::SeriesProps;
use super::plan;
use crate::engine::Metrics;
use crate::error::MetricsError;
use crate::index::{ListFilter, SeriesId};
use crate::insights;
use crate::math::Series;
use crate::stats::Agg;

/// The series of an Insights query, each with its properties for dynamic labels, and whether
/// the scan limit cut the candidates.
pub(super) type InsightsResult = (Vec<(Series, SeriesProps)>, bool);

impl Metrics {
    /// Runs a Metrics Insights query: one series per group (label: the group's values joined by
    /// spaces, empty without GROUP BY), ordered and limited as asked.
    pub(super) fn run_insights(
        &self,
        account: &str,
        region: &str,
        q: &insights::Query,
        start: i64,
        end: i64,
        period: i64,
    ) -> Result<InsightsResult, MetricsError> {
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
                    insights::selects(q, key).then(|| (id, insights::group_of(q, key)))
                })
                .collect();
            (selected, partial)
        };
        // Insights reads at most two weeks back and no finer than a minute.
        let now = self.now();
        let start = start.max(now - insights::MAX_AGE_MILLIS);
        let period = period.max(60);
        if start >= end {
            return Ok((Vec::new(), partial));
        }
        let Some((level, start)) = plan(now, start, period) else {
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
        let mut out: Vec<(Option<f64>, Series, SeriesProps)> = groups
            .into_iter()
            .map(|(group, buckets)| {
                let points: Vec<(i64, f64)> = buckets
                    .into_iter()
                    .filter_map(|(ts, a)| stat.compute(&a).map(|v| (ts, v)))
                    .collect();
                let rank = q.order_by.and_then(|(f, _)| {
                    f.over_points(&points.iter().map(|p| p.1).collect::<Vec<_>>())
                });
                let props = SeriesProps {
                    namespace: q.namespace.clone(),
                    metric_name: q.metric.clone(),
                    dimensions: q.group_by.iter().cloned().zip(group.clone()).collect(),
                    stat: q.func.stat_name().to_owned(),
                    period_s: period,
                };
                let label = group.join(" ");
                (rank, Series { label, points }, props)
            })
            .collect();
        if let Some((_, desc)) = q.order_by {
            // Series without datapoints (no rank) come last either way; ties keep group order.
            out.sort_by(|a, b| match (a.0, b.0) {
                (Some(x), Some(y)) if desc => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        let limit = q
            .limit
            .unwrap_or(insights::MAX_SERIES_RETURNED)
            .min(insights::MAX_SERIES_RETURNED);
        out.truncate(limit);
        Ok((out.into_iter().map(|(_, s, p)| (s, p)).collect(), partial))
    }
}
