//! Metric filters at work: every batch PutLogEvents made durable is run through the group's metric
//! filters and what they extract is handed to a [`MetricSink`] (the server's sink writes it into
//! the metrics engine; this crate does not know that engine).
//!
//! - A matching event emits one value at the event's timestamp: the literal `metricValue`, or the
//!   number read with `$.json.path` / `$field`. An event whose value is not a finite number, or
//!   whose dimension fields are missing or empty, emits nothing.
//! - `defaultValue` follows CloudWatch Logs: it is reported for a minute (by event timestamp) in
//!   which events of the group were ingested and none matched the filter, and never for a minute
//!   without events. Whether a minute matched is only known once it is over, so minutes are
//!   tracked in memory and closed by [`LogStore::emit_metric_defaults`] (a scheduler job)
//!   [`DEFAULT_CLOSE_DELAY_MS`] after they end; events arriving later for a closed minute no
//!   longer change its default. Open minutes are lost on a crash (their defaults are not emitted).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::ingest::InputEvent;
use super::{GroupKey, LogStore};
use crate::filter_pattern::FilterPattern;
use crate::model::{MetricFilter, MetricTransformation};

/// A minute's default value is decided this long after the minute ends (late batches for it
/// still count until then).
pub const DEFAULT_CLOSE_DELAY_MS: i64 = 30_000;
/// Closed minutes are remembered this long (by event time, behind the clock), so that a late
/// batch for one of them does not report its default twice.
pub const CLOSED_MINUTES_MEMORY_MS: i64 = 3 * 3_600_000;
const MINUTE_MS: i64 = 60_000;

/// One value a metric filter produced.
#[derive(Debug, Clone, PartialEq)]
pub struct EmittedMetric {
    pub namespace: String,
    pub metric_name: String,
    pub value: f64,
    /// The log event's timestamp (milliseconds); for a default value, the start of its minute.
    pub timestamp: i64,
    pub unit: Option<String>,
    /// `(name, value)`, at most three for metric filters (thirty for EMF).
    pub dimensions: Vec<(String, String)>,
    /// `1` for a high-resolution metric (EMF's `StorageResolution`); `None` is standard (60).
    pub storage_resolution: Option<i64>,
}

/// Where metric filters' values go. Called after the log events are durable, on the ingestion
/// path: an implementation must not block (queue the values and write them elsewhere).
pub trait MetricSink: Send + Sync + 'static {
    fn emit(&self, account: &str, region: &str, metrics: Vec<EmittedMetric>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Minute {
    Open { matched: bool },
    Closed,
}

/// `(group, filter name)` → minute start → state, for filters with a default value.
type Minutes = HashMap<(GroupKey, String), BTreeMap<i64, Minute>>;

/// The metric-filter machinery of a store: the sink, compiled patterns, open minutes.
#[derive(Default)]
pub(crate) struct Emitter {
    sink: RwLock<Option<Arc<dyn MetricSink>>>,
    /// `(group id, filter name)` → the compiled pattern (recompiled when the text changes).
    compiled: Mutex<HashMap<(u64, String), Arc<FilterPattern>>>,
    minutes: Mutex<Minutes>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("sink", &self.sink.read().is_some())
            .field("open_filters", &self.minutes.lock().len())
            .finish()
    }
}

impl Emitter {
    pub(crate) fn active(&self) -> bool {
        self.sink.read().is_some()
    }

    /// The sink, if one is set.
    pub(crate) fn sink(&self) -> Option<Arc<dyn MetricSink>> {
        self.sink.read().clone()
    }

    fn pattern(&self, group_id: u64, f: &MetricFilter) -> Option<Arc<FilterPattern>> {
        let mut compiled = self.compiled.lock();
        let key = (group_id, f.name.clone());
        if let Some(p) = compiled.get(&key).filter(|p| p.as_str() == f.pattern) {
            return Some(Arc::clone(p));
        }
        match FilterPattern::parse(&f.pattern) {
            Ok(p) => {
                let p = Arc::new(p);
                compiled.insert(key, Arc::clone(&p));
                Some(p)
            }
            Err(e) => {
                tracing::warn!(filter = %f.name, error = %e.aws_message(), "stored metric filter pattern no longer parses; skipped");
                None
            }
        }
    }
}

/// The value and dimensions a transformation reads from a matched event; `None` if it emits
/// nothing for it.
fn transform(
    t: &MetricTransformation,
    m: &crate::filter_pattern::Match<'_>,
    timestamp: i64,
) -> Option<EmittedMetric> {
    let value = match t.metric_value.parse::<f64>() {
        Ok(v) => v,
        Err(_) => m.value(&t.metric_value)?.trim().parse::<f64>().ok()?,
    };
    if !value.is_finite() {
        return None;
    }
    let mut dimensions = Vec::with_capacity(t.dimensions.len());
    for (name, reference) in &t.dimensions {
        let v = m.value(reference).filter(|v| !v.is_empty())?;
        dimensions.push((name.clone(), v));
    }
    Some(EmittedMetric {
        namespace: t.metric_namespace.clone(),
        metric_name: t.metric_name.clone(),
        value,
        timestamp,
        unit: t.unit.clone(),
        dimensions,
        storage_resolution: None,
    })
}

impl LogStore {
    /// Sets where metric filters' values go (the server sets the metrics engine's sink). Until
    /// a sink is set, metric filters emit nothing.
    pub fn set_metric_sink(&self, sink: Arc<dyn MetricSink>) {
        *self.emitter.sink.write() = Some(sink);
    }

    /// Runs durable events through the group's metric filters and emits their values; records
    /// the minutes they fall in for default values.
    pub(crate) fn emit_metrics(
        &self,
        key: &GroupKey,
        group_id: u64,
        filters: &[MetricFilter],
        events: &[InputEvent],
    ) {
        let Some(sink) = self.emitter.sink.read().clone() else {
            return;
        };
        let mut out = Vec::new();
        for f in filters {
            let Some(pattern) = self.emitter.pattern(group_id, f) else {
                continue;
            };
            let tracks_default = f.transformations.iter().any(|t| t.default_value.is_some());
            let mut minutes: BTreeMap<i64, bool> = BTreeMap::new();
            for e in events {
                let m = pattern.match_event(&e.message);
                if let Some(m) = &m {
                    out.extend(
                        f.transformations
                            .iter()
                            .filter_map(|t| transform(t, m, e.timestamp)),
                    );
                }
                if tracks_default {
                    *minutes
                        .entry(e.timestamp.div_euclid(MINUTE_MS) * MINUTE_MS)
                        .or_default() |= m.is_some();
                }
            }
            if !minutes.is_empty() {
                let mut open = self.emitter.minutes.lock();
                let tracked = open.entry((key.clone(), f.name.clone())).or_default();
                for (minute, matched) in minutes {
                    match tracked
                        .entry(minute)
                        .or_insert(Minute::Open { matched: false })
                    {
                        Minute::Open { matched: m } => *m |= matched,
                        Minute::Closed => {}
                    }
                }
            }
        }
        if !out.is_empty() {
            sink.emit(&key.0, &key.1, out);
        }
    }

    /// Closes the minutes that ended [`DEFAULT_CLOSE_DELAY_MS`] ago and emits the default value
    /// of each filter for those in which none of the group's events matched it: a scheduler job.
    /// Returns how many default values were emitted.
    pub fn emit_metric_defaults(&self) -> usize {
        let Some(sink) = self.emitter.sink.read().clone() else {
            return 0;
        };
        let now = self.now();
        let mut by_target: BTreeMap<(String, String), Vec<EmittedMetric>> = BTreeMap::new();
        {
            let state = self.state.read();
            let mut open = self.emitter.minutes.lock();
            open.retain(|(gkey, fname), minutes| {
                let t = state
                    .groups
                    .get(gkey)
                    .and_then(|g| g.rec.metric_filters.get(fname))
                    .and_then(|f| f.transformations.first());
                let Some(t) = t.filter(|t| t.default_value.is_some()) else {
                    return false; // the filter is gone or no longer has a default
                };
                for (minute, st) in minutes.iter_mut() {
                    if *minute + MINUTE_MS + DEFAULT_CLOSE_DELAY_MS > now {
                        break;
                    }
                    if let (Minute::Open { matched: false }, Some(v)) = (*st, t.default_value) {
                        by_target
                            .entry((gkey.0.clone(), gkey.1.clone()))
                            .or_default()
                            .push(EmittedMetric {
                                namespace: t.metric_namespace.clone(),
                                metric_name: t.metric_name.clone(),
                                value: v,
                                timestamp: *minute,
                                unit: t.unit.clone(),
                                dimensions: Vec::new(),
                                storage_resolution: None,
                            });
                    }
                    *st = Minute::Closed;
                }
                minutes.retain(|minute, st| {
                    *st != Minute::Closed || *minute >= now - CLOSED_MINUTES_MEMORY_MS
                });
                !minutes.is_empty()
            });
        }
        let mut emitted = 0;
        for ((account, region), metrics) in by_target {
            emitted += metrics.len();
            sink.emit(&account, &region, metrics);
        }
        emitted
    }
}
