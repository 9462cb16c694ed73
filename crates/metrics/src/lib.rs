//! CloudWatch metrics: the time-series engine behind PutMetricData, GetMetricData,
//! GetMetricStatistics and ListMetrics.
//!
//! - [`validate`]: PutMetricData's rules and AWS's messages, on owned ([`MetricDatum`]) or
//!   borrowed ([`MetricDatumRef`]) datums alike; nothing of a refused batch is kept.
//! - [`index`]: series key → id (also by the key as requests order it, learned), postings per
//!   `(account, region)` for ListMetrics.
//! - `head`, `walrec`: recent samples in memory, logged to the WAL before they are applied
//!   (known series by id, new ones by key; `docs/format/metrics.md`).
//! - [`block`], [`codec`]: sealed hour partitions (delta-of-delta timestamps, pco values) and
//!   1 min / 5 min / 1 h rollups with a [`sketch::Sketch`]; retention per level; `compact`
//!   merges the generations of a partition sealed more than once.
//! - [`stats`]: every CloudWatch statistic, exact on raw data, within 1% on rollups.
//! - [`query`]: ListMetrics, GetMetricStatistics, GetMetricData (MetricStat, metric math with
//!   [`math`] and [`search`], Metrics Insights with [`insights`]).
//!
//! **Architecture Invariant**: this crate knows no HTTP and no wire format; the CloudWatch facade
//! in `openwatch-services` maps its requests and [`MetricsError`]s to and from the wire.

pub mod anomaly;
pub mod block;
pub mod codec;
mod compact;
mod engine;
mod error;
mod head;
pub mod index;
pub mod insights;
pub mod math;
mod model;
pub mod query;
pub mod search;
mod series_file;
pub mod sketch;
pub mod stats;
mod unit;
pub mod validate;
mod walrec;

pub use engine::{
    CheckpointReport, DEFAULT_SEAL_DELAY_MILLIS, Metrics, MetricsOptions, MetricsStats,
};
pub use error::MetricsError;
pub use head::PARTITION_MILLIS;
pub use model::{
    Dim, Dimension, DimensionRef, Entry, Kind, MetricDatum, MetricDatumRef, MetricId, SeriesKey,
    StatisticSet,
};
/// The clocks the engine takes, re-exported so callers need not depend on the storage crate.
pub use openwatch_storage::{Clock, SimClock, SystemClock};
pub use query::{
    DataPage, DataQuery, DataRequest, DataResult, Datapoint, ListMetricsPage, ListMetricsRequest,
    MetricSpec, StatisticsRequest,
};
pub use unit::Unit;
