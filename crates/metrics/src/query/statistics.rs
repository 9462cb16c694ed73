//! GetMetricStatistics and the single-statistic read other domains use (`series_values`).

use super::{
    BASIC_STATISTICS, Datapoint, MAX_EXTENDED_STATISTICS, MAX_STATISTICS,
    MAX_STATISTICS_DATAPOINTS, MetricSpec, StatisticsRequest, check_period, parse_unit, plan,
    thousands,
};
use crate::engine::Metrics;
use crate::error::MetricsError;
use crate::stats::Statistic;
use crate::unit::Unit;
use crate::validate::check_dimensions;

impl Metrics {
    /// GetMetricStatistics.
    pub fn statistics(
        &self,
        account: &str,
        region: &str,
        req: &StatisticsRequest,
    ) -> Result<Vec<Datapoint>, MetricsError> {
        if req.metric.namespace.is_empty() {
            return Err(MetricsError::missing(
                "The parameter Namespace is required.",
            ));
        }
        if req.metric.metric_name.is_empty() {
            return Err(MetricsError::missing(
                "The parameter MetricName is required.",
            ));
        }
        check_dimensions("Dimensions", &req.metric.dimensions)?;
        if req.statistics.is_empty() && req.extended_statistics.is_empty() {
            return Err(MetricsError::combination(
                "At least one of the parameters Statistics and ExtendedStatistics must be specified.",
            ));
        }
        if req.statistics.len() > MAX_STATISTICS {
            return Err(MetricsError::invalid(format!(
                "The collection Statistics must not have a size greater than {MAX_STATISTICS}."
            )));
        }
        if req.extended_statistics.len() > MAX_EXTENDED_STATISTICS {
            return Err(MetricsError::invalid(format!(
                "The collection ExtendedStatistics must not have a size greater than {MAX_EXTENDED_STATISTICS}."
            )));
        }
        let mut basic = Vec::new();
        for (i, s) in req.statistics.iter().enumerate() {
            match Statistic::parse(s).filter(|s| !s.is_extended()) {
                Some(st) => basic.push(st),
                None => {
                    return Err(MetricsError::invalid(format!(
                        "The parameter Statistics.member.{} must be a value in the set [{}].",
                        i + 1,
                        BASIC_STATISTICS.join(", ")
                    )));
                }
            }
        }
        let mut extended = Vec::new();
        for (i, s) in req.extended_statistics.iter().enumerate() {
            match Statistic::parse(s).filter(Statistic::is_extended) {
                Some(st) => extended.push((s.clone(), st)),
                None => {
                    return Err(MetricsError::invalid(format!(
                        "The value {s} for parameter ExtendedStatistics.member.{} is invalid.",
                        i + 1
                    )));
                }
            }
        }
        let unit = parse_unit(req.unit.as_deref(), "Unit")?;
        check_period(req.period, "Period")?;
        if req.start >= req.end {
            return Err(MetricsError::invalid(
                "The parameter StartTime must be less than the parameter EndTime.",
            ));
        }
        let points = (req.end - req.start) / (req.period * 1000);
        if points > MAX_STATISTICS_DATAPOINTS {
            return Err(MetricsError::combination(format!(
                "You have requested up to {} datapoints, which exceeds the limit of {}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
                thousands(points),
                thousands(MAX_STATISTICS_DATAPOINTS)
            )));
        }
        let Some(id) = self.find_series(account, region, &req.metric) else {
            return Ok(Vec::new());
        };
        let Some((level, start)) = plan(self.now(), req.start, req.period) else {
            return Ok(Vec::new());
        };
        let aggs = self.aggregate(
            id,
            start,
            req.end,
            req.period * 1000,
            level,
            unit,
            true,
            !extended.is_empty(),
        )?;
        Ok(aggs
            .into_iter()
            .map(|((ts, u), agg)| {
                let get = |s: Statistic| basic.contains(&s).then(|| s.compute(&agg)).flatten();
                Datapoint {
                    timestamp: ts,
                    unit: u,
                    sample_count: get(Statistic::SampleCount),
                    average: get(Statistic::Average),
                    sum: get(Statistic::Sum),
                    minimum: get(Statistic::Minimum),
                    maximum: get(Statistic::Maximum),
                    extended: extended
                        .iter()
                        .filter_map(|(name, s)| s.compute(&agg).map(|v| (name.clone(), v)))
                        .collect(),
                }
            })
            .collect())
    }

    /// One statistic of one metric per period over `[start, end)`, oldest first: what alarms
    /// and metric math read.
    #[allow(clippy::too_many_arguments)]
    pub fn series_values(
        &self,
        account: &str,
        region: &str,
        metric: &MetricSpec,
        stat: &str,
        period: i64,
        start: i64,
        end: i64,
        unit: Option<Unit>,
    ) -> Result<Vec<(i64, f64)>, MetricsError> {
        let stat = Statistic::parse(stat).ok_or_else(|| {
            MetricsError::invalid(format!("The value {stat} for parameter Stat is invalid."))
        })?;
        check_period(period, "Period")?;
        let Some(id) = self.find_series(account, region, metric) else {
            return Ok(Vec::new());
        };
        let Some((level, start)) = plan(self.now(), start, period) else {
            return Ok(Vec::new());
        };
        let aggs = self.aggregate(
            id,
            start,
            end,
            period * 1000,
            level,
            unit,
            false,
            stat.is_extended(),
        )?;
        Ok(aggs
            .into_iter()
            .filter_map(|((ts, _), agg)| stat.compute(&agg).map(|v| (ts, v)))
            .collect())
    }
}
