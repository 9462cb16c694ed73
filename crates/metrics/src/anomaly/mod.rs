//! CloudWatch anomaly detection: the [`model`] (pure), time zones ([`tz`]), detectors
//! ([`detector`]: PutAnomalyDetector, DescribeAnomalyDetectors, DeleteAnomalyDetector, stored
//! in the engine's directory) and the band of `ANOMALY_DETECTION_BAND(m[, stddevs])`.
//!
//! A band is computed from a model trained on the two weeks of history before now of the query
//! it names, read through GetMetricData itself at the query's period (so rollups serve it: the
//! 1-minute ones are kept 15 days). The configuration (excluded ranges, time zone, periodic
//! spikes) comes from the detector of that metric and statistic if one exists; without one the
//! band is still computed, with the default configuration. Trained models are cached for
//! [`MODEL_TTL_MILLIS`]; with too little history there is no model and the band is empty.

mod band;
pub mod detector;
pub mod model;
pub mod tz;

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

pub use detector::{Detector, DetectorConfig, DetectorTarget, StoredQuery};
pub use model::{Model, TrainOptions, Untrained};
pub use tz::Zone;

use crate::engine::Metrics;
use crate::error::MetricsError;
pub(crate) use band::band;

/// A trained model is reused this long before it is trained again on newer data.
pub const MODEL_TTL_MILLIS: i64 = 15 * 60_000;
/// Most detector ids in one DescribeAnomalyDetectors call.
pub const MAX_DESCRIBE_IDS: usize = 50;
/// Largest (and default) page of DescribeAnomalyDetectors.
pub const MAX_DESCRIBE_RESULTS: usize = 100;
/// The period the training state of a single-metric detector is reported at.
const STATE_PERIOD_S: i64 = 300;

/// The engine's anomaly-detection state.
#[derive(Debug)]
pub(crate) struct AnomalyState {
    detectors: Mutex<detector::DetectorFile>,
    /// Trained models by what they model, with when they were trained.
    models: Mutex<HashMap<String, (i64, Arc<Model>)>>,
}

impl AnomalyState {
    pub fn open(dir: &std::path::Path) -> Result<AnomalyState, MetricsError> {
        Ok(AnomalyState {
            detectors: Mutex::new(detector::DetectorFile::open(dir)?),
            models: Mutex::new(HashMap::new()),
        })
    }
}

/// A DescribeAnomalyDetectors request.
#[derive(Debug, Clone, Default)]
pub struct DescribeRequest {
    pub ids: Vec<String>,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: Vec<(String, String)>,
    /// `SINGLE_METRIC`, `METRIC_MATH`; empty means `SINGLE_METRIC`.
    pub types: Vec<String>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

/// A detector as DescribeAnomalyDetectors shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribedDetector {
    pub detector: Detector,
    /// `PENDING_TRAINING`, `TRAINED_INSUFFICIENT_DATA` or `TRAINED`.
    pub state: &'static str,
}

/// A page of DescribeAnomalyDetectors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribePage {
    pub detectors: Vec<DescribedDetector>,
    pub next_token: Option<String>,
}

/// The training state a model result stands for.
fn state_of(m: &Result<Arc<Model>, Untrained>) -> &'static str {
    match m {
        Ok(_) => "TRAINED",
        Err(Untrained::InsufficientData) => "TRAINED_INSUFFICIENT_DATA",
        Err(Untrained::NoData) => "PENDING_TRAINING",
    }
}

impl Metrics {
    /// PutAnomalyDetector: creates the detector of `target`, or replaces the configuration of
    /// the existing one (keeping its id). Returns the id once the change is durable.
    pub fn put_anomaly_detector(
        &self,
        account: &str,
        region: &str,
        target: DetectorTarget,
        config: DetectorConfig,
    ) -> Result<String, MetricsError> {
        let target = detector::validate_target(target)?;
        detector::validate_config(&config)?;
        let mut file = self.anomaly.detectors.lock();
        let mut list = file.list.clone();
        let mut seq = file.next_seq;
        let id = match list
            .iter_mut()
            .find(|d| d.same_target(account, region, &target))
        {
            Some(d) => {
                d.config = config;
                d.id.clone()
            }
            None => {
                let now = self.now();
                let id = format!("{now:012x}-{seq:08x}");
                seq += 1;
                list.push(Detector {
                    id: id.clone(),
                    account: account.to_owned(),
                    region: region.to_owned(),
                    target,
                    config,
                    created: now,
                });
                id
            }
        };
        file.store(list, seq)?;
        drop(file);
        self.anomaly.models.lock().clear();
        Ok(id)
    }

    /// DeleteAnomalyDetector: by id, or by what it models.
    pub fn delete_anomaly_detector(
        &self,
        account: &str,
        region: &str,
        id: Option<&str>,
        target: Option<DetectorTarget>,
    ) -> Result<(), MetricsError> {
        let target = target.map(detector::validate_target).transpose()?;
        let mut file = self.anomaly.detectors.lock();
        let found = file.list.iter().position(|d| {
            d.account == account
                && d.region == region
                && id.is_none_or(|i| d.id == i)
                && target.as_ref().is_none_or(|t| &d.target == t)
        });
        let Some(i) = found else {
            return Err(MetricsError::ResourceNotFound(
                "The specified anomaly detection model was not found.".into(),
            ));
        };
        let mut list = file.list.clone();
        list.remove(i);
        let seq = file.next_seq;
        file.store(list, seq)?;
        drop(file);
        self.anomaly.models.lock().clear();
        Ok(())
    }

    /// DescribeAnomalyDetectors.
    pub fn describe_anomaly_detectors(
        &self,
        account: &str,
        region: &str,
        req: &DescribeRequest,
    ) -> Result<DescribePage, MetricsError> {
        let filtered = req.namespace.is_some()
            || req.metric_name.is_some()
            || !req.dimensions.is_empty()
            || !req.types.is_empty();
        if !req.ids.is_empty() && filtered {
            return Err(MetricsError::combination(
                "AnomalyDetectorIds cannot be specified with Namespace, MetricName, Dimensions or AnomalyDetectorTypes.",
            ));
        }
        if req.ids.len() > MAX_DESCRIBE_IDS {
            return Err(MetricsError::invalid(format!(
                "The collection AnomalyDetectorIds must not have a size greater than {MAX_DESCRIBE_IDS}."
            )));
        }
        if req.types.len() > 2 {
            return Err(MetricsError::invalid(
                "The collection AnomalyDetectorTypes must not have a size greater than 2.",
            ));
        }
        for t in &req.types {
            if t != "SINGLE_METRIC" && t != "METRIC_MATH" {
                return Err(MetricsError::invalid(format!(
                    "The value {t} for parameter AnomalyDetectorTypes is invalid. Valid values: SINGLE_METRIC, METRIC_MATH."
                )));
            }
        }
        let page = match req.max_results {
            None => MAX_DESCRIBE_RESULTS,
            Some(n) if (1..=MAX_DESCRIBE_RESULTS as i64).contains(&n) => n as usize,
            Some(n) => {
                return Err(MetricsError::invalid(format!(
                    "The value {n} for parameter MaxResults is invalid. It must be between 1 and {MAX_DESCRIBE_RESULTS}."
                )));
            }
        };
        let skip = req
            .next_token
            .as_deref()
            .map(|t| crate::query::decode_token("adt1.", t))
            .transpose()?
            .unwrap_or(0) as usize;
        let want_single = req.types.is_empty() || req.types.iter().any(|t| t == "SINGLE_METRIC");
        let want_math = req.types.iter().any(|t| t == "METRIC_MATH");
        let selected: Vec<Detector> = self
            .anomaly
            .detectors
            .lock()
            .list
            .iter()
            .filter(|d| d.account == account && d.region == region)
            .filter(|d| {
                if !req.ids.is_empty() {
                    return req.ids.contains(&d.id);
                }
                match &d.target {
                    DetectorTarget::Math { .. } => want_math && !filtered_by_metric(req),
                    DetectorTarget::Single {
                        namespace,
                        metric_name,
                        dimensions,
                        ..
                    } => {
                        want_single
                            && req.namespace.as_ref().is_none_or(|n| n == namespace)
                            && req.metric_name.as_ref().is_none_or(|m| m == metric_name)
                            && req.dimensions.iter().all(|f| dimensions.contains(f))
                    }
                }
            })
            .cloned()
            .collect();
        let end = skip.saturating_add(page).min(selected.len());
        let next_token =
            (end < selected.len()).then(|| crate::query::encode_token("adt1.", end as u64));
        let detectors = selected
            .into_iter()
            .skip(skip)
            .take(page)
            .map(|d| {
                let state = state_of(&self.detector_model(&d));
                DescribedDetector { detector: d, state }
            })
            .collect();
        Ok(DescribePage {
            detectors,
            next_token,
        })
    }

    /// The detector of a single metric and statistic, if one exists.
    pub(crate) fn find_detector(
        &self,
        account: &str,
        region: &str,
        target: &DetectorTarget,
    ) -> Option<Detector> {
        self.anomaly
            .detectors
            .lock()
            .list
            .iter()
            .find(|d| d.same_target(account, region, target))
            .cloned()
    }

    /// The (cached) model of a detector, at its reporting period.
    fn detector_model(&self, d: &Detector) -> Result<Arc<Model>, Untrained> {
        let queries: Vec<crate::query::DataQuery> = match &d.target {
            DetectorTarget::Single {
                namespace,
                metric_name,
                dimensions,
                stat,
            } => vec![
                StoredQuery {
                    id: "m".into(),
                    metric: Some((namespace.clone(), metric_name.clone(), dimensions.clone())),
                    period: STATE_PERIOD_S,
                    stat: stat.clone(),
                    expression: None,
                    unit: None,
                    label: None,
                    return_data: true,
                }
                .to_query(),
            ],
            DetectorTarget::Math { queries } => queries.iter().map(StoredQuery::to_query).collect(),
        };
        let Some(target) = queries.iter().find(|q| q.return_data).map(|q| q.id.clone()) else {
            return Err(Untrained::NoData);
        };
        let period = queries
            .iter()
            .filter(|q| q.expression.is_none())
            .map(|q| q.period)
            .min()
            .unwrap_or(STATE_PERIOD_S);
        self.anomaly_model(&d.account, &d.region, &queries, &target, period, &d.config)
    }

    /// The model of query `target` among `queries` at `period_s`, trained on the two weeks
    /// before now with `config`; cached per (queries, target, period, config).
    pub(crate) fn anomaly_model(
        &self,
        account: &str,
        region: &str,
        queries: &[crate::query::DataQuery],
        target: &str,
        period_s: i64,
        config: &DetectorConfig,
    ) -> Result<Arc<Model>, Untrained> {
        let stored: Vec<StoredQuery> = queries.iter().map(StoredQuery::from_query).collect();
        let key = serde_json::to_string(&(account, region, &stored, target, period_s, config))
            .unwrap_or_default();
        let now = self.now();
        if let Some((at, m)) = self.anomaly.models.lock().get(&key)
            && now - at < MODEL_TTL_MILLIS
        {
            return Ok(Arc::clone(m));
        }
        let trained = self.train_model(account, region, queries, target, period_s, config, now);
        // Only trained models are kept: with too little history, the next call looks again.
        if let Ok(model) = &trained {
            let mut models = self.anomaly.models.lock();
            models.retain(|_, (at, _)| now - *at < MODEL_TTL_MILLIS);
            models.insert(key, (now, Arc::clone(model)));
        }
        trained
    }

    #[allow(clippy::too_many_arguments)]
    fn train_model(
        &self,
        account: &str,
        region: &str,
        queries: &[crate::query::DataQuery],
        target: &str,
        period_s: i64,
        config: &DetectorConfig,
        now: i64,
    ) -> Result<Arc<Model>, Untrained> {
        let period_ms = period_s * 1000;
        let end = now.div_euclid(period_ms) * period_ms + period_ms;
        let queries: Vec<crate::query::DataQuery> = queries
            .iter()
            .map(|q| crate::query::DataQuery {
                return_data: q.id == target,
                period: if q.expression.is_some() && q.id == target {
                    period_s
                } else {
                    q.period
                },
                ..q.clone()
            })
            .collect();
        let req = crate::query::DataRequest {
            queries,
            start: end - model::TRAINING_MILLIS,
            end,
            ascending: true,
            max_datapoints: None,
            next_token: None,
        };
        let Ok(page) = self.get_metric_data(account, region, &req) else {
            return Err(Untrained::NoData);
        };
        let points: Vec<(i64, f64)> = page
            .results
            .into_iter()
            .filter(|r| r.id == target)
            .flat_map(|r| r.timestamps.into_iter().zip(r.values))
            .collect();
        let zone = config
            .timezone
            .as_deref()
            .and_then(Zone::load)
            .unwrap_or_default();
        let opts = TrainOptions {
            period_ms,
            excluded: config.excluded.clone(),
            periodic_spikes: config.periodic_spikes.unwrap_or(false),
        };
        Model::train(&points, &opts, &zone).map(Arc::new)
    }
}

fn filtered_by_metric(req: &DescribeRequest) -> bool {
    req.namespace.is_some() || req.metric_name.is_some() || !req.dimensions.is_empty()
}
