//! Reads: ListMetrics, GetMetricStatistics and GetMetricData (MetricStat queries), with
//! CloudWatch's period rules and resolution choice by age: data whose start is at most 3 hours
//! old is read raw (exact percentiles), older data from the 1-minute, 5-minute or 1-hour rollups
//! (percentiles from the sketch). A period that is not a multiple of the resolution still kept
//! for the start's age returns no datapoints, as CloudWatch documents.
//!
//! `statistics.rs` holds GetMetricStatistics and `series_values`, `data.rs` GetMetricData with
//! metric math, SEARCH and Metrics Insights.

mod data;
mod evaluator;
mod insights_run;
pub mod labels;
mod statistics;

use std::collections::BTreeMap;

use crate::block::Level;
use crate::engine::Metrics;
use crate::error::MetricsError;
use crate::head::{PARTITION_MILLIS, partition_of};
use crate::index::{ListFilter, SeriesId};
use crate::model::{Dimension, Entry, MetricId};
use crate::stats::Agg;
pub use crate::stats::BASIC_STATISTICS;
use crate::unit::Unit;
use crate::validate::fmt_f64;
pub use labels::LabelOptions;

/// ListMetrics returns at most this many metrics per page.
pub const LIST_METRICS_PAGE: usize = 500;
/// Most dimension filters in ListMetrics.
pub const MAX_LIST_DIMENSIONS: usize = 10;
/// GetMetricStatistics returns at most this many datapoints.
pub const MAX_STATISTICS_DATAPOINTS: i64 = 1_440;
/// Most queries in one GetMetricData call.
pub const MAX_METRIC_DATA_QUERIES: usize = 500;
/// Default (and largest) `MaxDatapoints` of GetMetricData.
pub const DEFAULT_MAX_DATAPOINTS: usize = 100_800;
/// Most `Statistics` and `ExtendedStatistics` in one GetMetricStatistics call.
pub const MAX_STATISTICS: usize = 5;
pub const MAX_EXTENDED_STATISTICS: usize = 10;
/// How far back `RecentlyActive=PT3H` looks.
pub const RECENTLY_ACTIVE_MILLIS: i64 = 3 * 3_600_000;
/// ListMetrics lists only metrics that received data in this window (two weeks).
pub const LIST_METRICS_WINDOW_MILLIS: i64 = 14 * 24 * 3_600_000;

/// A ListMetrics request.
#[derive(Debug, Clone, Default)]
pub struct ListMetricsRequest {
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: Vec<(String, Option<String>)>,
    pub recently_active: Option<String>,
    pub next_token: Option<String>,
}

/// A page of ListMetrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListMetricsPage {
    pub metrics: Vec<MetricId>,
    pub next_token: Option<String>,
}

/// Which metric to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricSpec {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
}

/// A GetMetricStatistics request (times in milliseconds, period in seconds).
#[derive(Debug, Clone, Default)]
pub struct StatisticsRequest {
    pub metric: MetricSpec,
    pub start: i64,
    pub end: i64,
    pub period: i64,
    pub statistics: Vec<String>,
    pub extended_statistics: Vec<String>,
    pub unit: Option<String>,
}

/// One GetMetricStatistics datapoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Datapoint {
    pub timestamp: i64,
    pub unit: Option<Unit>,
    pub sample_count: Option<f64>,
    pub average: Option<f64>,
    pub sum: Option<f64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub extended: Vec<(String, f64)>,
}

/// One GetMetricData query: a `MetricStat` (metric, period, stat, unit) or, when `expression`
/// is set, a metric-math expression over other queries (`period` optional, 0 if absent).
#[derive(Debug, Clone, Default)]
pub struct DataQuery {
    pub id: String,
    pub metric: MetricSpec,
    pub period: i64,
    pub stat: String,
    pub expression: Option<String>,
    pub unit: Option<String>,
    pub label: Option<String>,
    pub return_data: bool,
}

/// A GetMetricData request.
#[derive(Debug, Clone, Default)]
pub struct DataRequest {
    pub queries: Vec<DataQuery>,
    pub start: i64,
    pub end: i64,
    pub ascending: bool,
    pub max_datapoints: Option<i64>,
    pub next_token: Option<String>,
}

/// One GetMetricData result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataResult {
    pub id: String,
    pub label: String,
    pub timestamps: Vec<i64>,
    pub values: Vec<f64>,
    /// `Complete` or `PartialData`.
    pub status_code: &'static str,
    pub messages: Vec<(String, String)>,
}

/// A GetMetricData response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataPage {
    pub results: Vec<DataResult>,
    pub next_token: Option<String>,
}

/// Checks a period (seconds): at least 1, and 1, 5, 10, 20, 30 or a multiple of 60.
pub fn check_period(period: i64, name: &str) -> Result<(), MetricsError> {
    if period < 1 {
        return Err(MetricsError::invalid(format!(
            "The parameter {name} must be greater than 0."
        )));
    }
    if !matches!(period, 1 | 5 | 10 | 20 | 30) && period % 60 != 0 {
        return Err(MetricsError::invalid(format!(
            "The parameter {name} must be 1, 5, 10, 20, 30, or a multiple of 60."
        )));
    }
    Ok(())
}

/// The resolution to read for a start time `age` ms old, and the alignment of period starts.
pub(super) fn level_for_age(age: i64) -> Level {
    if age <= Level::Raw.retention_millis() {
        Level::Raw
    } else if age <= Level::M1.retention_millis() {
        Level::M1
    } else if age <= Level::M5.retention_millis() {
        Level::M5
    } else {
        Level::H1
    }
}

/// The level to read and the aligned start, or `None` if the period is too fine for the age.
pub(super) fn plan(now: i64, start: i64, period_s: i64) -> Option<(Level, i64)> {
    let level = level_for_age(now - start);
    let period = period_s * 1000;
    let align = match level {
        Level::Raw if period < 60_000 => period,
        Level::Raw | Level::M1 => 60_000,
        other => other.bucket_millis(),
    };
    (period % level.bucket_millis().max(1) == 0 || level == Level::Raw)
        .then_some((level, start.div_euclid(align) * align))
}

pub(super) fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) fn parse_unit(unit: Option<&str>, name: &str) -> Result<Option<Unit>, MetricsError> {
    unit.map(|u| {
        Unit::parse(u).ok_or_else(|| {
            MetricsError::invalid(format!(
                "The parameter {name} must be a value in the set {}.",
                Unit::set_text()
            ))
        })
    })
    .transpose()
}

pub(crate) fn encode_token(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:x}")
}

pub(crate) fn decode_token(prefix: &str, token: &str) -> Result<u64, MetricsError> {
    token
        .strip_prefix(prefix)
        .and_then(|t| u64::from_str_radix(t, 16).ok())
        .ok_or_else(|| MetricsError::InvalidNextToken("The NextToken is invalid.".into()))
}

impl Metrics {
    /// ListMetrics: metrics of `(account, region)` matching the request that received data in
    /// the past two weeks (three hours with `RecentlyActive=PT3H`), 500 per page.
    pub fn list_metrics(
        &self,
        account: &str,
        region: &str,
        req: &ListMetricsRequest,
    ) -> Result<ListMetricsPage, MetricsError> {
        if req.dimensions.len() > MAX_LIST_DIMENSIONS {
            return Err(MetricsError::invalid(format!(
                "The collection Dimensions must not have a size greater than {MAX_LIST_DIMENSIONS}."
            )));
        }
        let active_since = match req.recently_active.as_deref() {
            None => Some(self.now() - LIST_METRICS_WINDOW_MILLIS),
            Some("PT3H") => Some(self.now() - RECENTLY_ACTIVE_MILLIS),
            Some(_) => {
                return Err(MetricsError::invalid(
                    "The parameter RecentlyActive must be a value in the set [ PT3H ].",
                ));
            }
        };
        let after = req
            .next_token
            .as_deref()
            .map(|t| decode_token("lm1.", t))
            .transpose()?
            .map(|n| n as SeriesId);
        let filter = ListFilter {
            namespace: req.namespace.clone(),
            metric_name: req.metric_name.clone(),
            dimensions: req.dimensions.clone(),
            active_since,
        };
        let st = self.state.read();
        let mut ids = st
            .index
            .list(account, region, &filter, after, LIST_METRICS_PAGE + 1);
        let next_token = (ids.len() > LIST_METRICS_PAGE).then(|| {
            ids.truncate(LIST_METRICS_PAGE);
            encode_token("lm1.", u64::from(*ids.last().unwrap_or(&0)))
        });
        Ok(ListMetricsPage {
            metrics: ids
                .iter()
                .filter_map(|id| st.index.metric_id(*id))
                .collect(),
            next_token,
        })
    }

    pub(super) fn find_series(
        &self,
        account: &str,
        region: &str,
        m: &MetricSpec,
    ) -> Option<SeriesId> {
        let mut dims: Vec<&Dimension> = m.dimensions.iter().collect();
        dims.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        self.state
            .read()
            .index
            .find(account, region, &m.namespace, &m.metric_name, &dims)
    }

    /// Aggregates series `id` over `[start, end)` into periods of `period_ms` starting at
    /// `start`, reading `level`. Keyed by (period start, unit if `by_unit`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn aggregate(
        &self,
        id: SeriesId,
        start: i64,
        end: i64,
        period_ms: i64,
        level: Level,
        unit: Option<Unit>,
        by_unit: bool,
        keep_values: bool,
    ) -> Result<BTreeMap<(i64, Option<Unit>), Agg>, MetricsError> {
        let mut out: BTreeMap<(i64, Option<Unit>), Agg> = BTreeMap::new();
        let key = |ts: i64, u: Unit| {
            (
                start + (ts - start).div_euclid(period_ms) * period_ms,
                by_unit.then_some(u),
            )
        };
        let mut add_entry = |e: &Entry| {
            if unit.is_none_or(|u| u == e.unit()) {
                out.entry(key(e.ts, e.unit()))
                    .or_default()
                    .add_entry(e, keep_values);
            }
        };
        let blocks = self.blocks.read();
        let st = self.state.read();
        let first_partition = partition_of(start);
        st.head.for_each(id, start, end, &mut add_entry);
        for (p, part) in &st.sealing {
            if *p + PARTITION_MILLIS > start && *p < end {
                part.for_each(id, start, end, &mut add_entry);
            }
        }
        if level == Level::Raw {
            for (_, b) in blocks.raw.range((first_partition, 0)..(end, 0)) {
                for e in b.entries(id, start, end)? {
                    add_entry(&e);
                }
            }
        } else if let Some(map) = blocks.rollups.get(&level) {
            for (_, b) in map.range((first_partition, 0)..(end, 0)) {
                let Some(buckets) = b.series.get(&id) else {
                    continue;
                };
                for bk in buckets {
                    if bk.ts >= start && bk.ts < end && unit.is_none_or(|u| u == bk.unit) {
                        out.entry(key(bk.ts, bk.unit)).or_default().merge(&bk.agg);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `fmt_f64` re-exported for facades that echo values in messages.
pub fn format_value(v: f64) -> String {
    fmt_f64(v)
}
