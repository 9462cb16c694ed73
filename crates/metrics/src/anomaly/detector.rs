//! Anomaly detectors: their definitions, validation (PutAnomalyDetector's rules) and durable
//! storage in `<metrics dir>/anomaly_detectors.json` (rewritten whole, atomically: temp file,
//! fsync, rename, directory fsync) before a change is acknowledged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::tz::Zone;
use crate::error::MetricsError;
use crate::model::Dimension;
use crate::query::{DataQuery, MetricSpec, check_period};
use crate::stats::Statistic;

/// The file detectors are kept in, inside the engine's directory.
pub const DETECTORS_FILE: &str = "anomaly_detectors.json";
/// Most excluded time ranges in a configuration.
pub const MAX_EXCLUDED_RANGES: usize = 10;
/// Most dimensions of a single-metric detector.
pub const MAX_DIMENSIONS: usize = 30;

/// A metric: namespace, name, dimensions (name, value).
pub type MetricRef = (String, String, Vec<(String, String)>);

/// A stored metric-math query of a metric-math detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredQuery {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<MetricRef>,
    #[serde(default)]
    pub period: i64,
    #[serde(default)]
    pub stat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub return_data: bool,
}

impl StoredQuery {
    /// From a GetMetricData query (a MetricStat when `expression` is `None`).
    pub fn from_query(q: &DataQuery) -> StoredQuery {
        StoredQuery {
            id: q.id.clone(),
            metric: q.expression.is_none().then(|| {
                (
                    q.metric.namespace.clone(),
                    q.metric.metric_name.clone(),
                    q.metric
                        .dimensions
                        .iter()
                        .map(|d| (d.name.to_string(), d.value.to_string()))
                        .collect(),
                )
            }),
            period: q.period,
            stat: q.stat.clone(),
            expression: q.expression.clone(),
            unit: q.unit.clone(),
            label: q.label.clone(),
            return_data: q.return_data,
        }
    }

    /// Back to a GetMetricData query.
    pub fn to_query(&self) -> DataQuery {
        let (namespace, metric_name, dims) = self.metric.clone().unwrap_or_default();
        DataQuery {
            id: self.id.clone(),
            metric: MetricSpec {
                namespace,
                metric_name,
                dimensions: dims
                    .into_iter()
                    .map(|(n, v)| Dimension::new(n, v))
                    .collect(),
            },
            period: self.period,
            stat: self.stat.clone(),
            expression: self.expression.clone(),
            unit: self.unit.clone(),
            label: self.label.clone(),
            return_data: self.return_data,
        }
    }
}

/// What a detector models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DetectorTarget {
    /// One metric and statistic (dimensions sorted by name).
    Single {
        namespace: String,
        metric_name: String,
        dimensions: Vec<(String, String)>,
        stat: String,
    },
    /// The one `ReturnData` query of a metric-math expression.
    Math { queries: Vec<StoredQuery> },
}

/// `AnomalyDetectorConfiguration` and `MetricCharacteristics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetectorConfig {
    /// `[start, end]` ms.
    #[serde(default)]
    pub excluded: Vec<(i64, i64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_spikes: Option<bool>,
}

/// A stored anomaly detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    pub id: String,
    pub account: String,
    pub region: String,
    pub target: DetectorTarget,
    pub config: DetectorConfig,
    /// When it was first put (ms).
    pub created: i64,
}

impl Detector {
    /// Whether two detectors model the same thing (a put of one replaces the other).
    pub fn same_target(&self, account: &str, region: &str, target: &DetectorTarget) -> bool {
        self.account == account && self.region == region && &self.target == target
    }
}

/// Validates a target (sorting a single metric's dimensions) and returns it.
pub fn validate_target(target: DetectorTarget) -> Result<DetectorTarget, MetricsError> {
    match target {
        DetectorTarget::Single {
            namespace,
            metric_name,
            mut dimensions,
            stat,
        } => {
            if namespace.is_empty() {
                return Err(MetricsError::missing(
                    "The parameter Namespace is required.",
                ));
            }
            if metric_name.is_empty() {
                return Err(MetricsError::missing(
                    "The parameter MetricName is required.",
                ));
            }
            if stat.is_empty() {
                return Err(MetricsError::missing("The parameter Stat is required."));
            }
            if namespace.len() > 255 || namespace.starts_with(':') {
                return Err(MetricsError::invalid(format!(
                    "The value {namespace} for parameter Namespace is invalid."
                )));
            }
            if metric_name.len() > 255 {
                return Err(MetricsError::invalid(format!(
                    "The value {metric_name} for parameter MetricName is invalid."
                )));
            }
            if stat.len() > 50 || Statistic::parse(&stat).is_none() {
                return Err(MetricsError::invalid(format!(
                    "The value {stat} for parameter Stat is invalid."
                )));
            }
            if dimensions.len() > MAX_DIMENSIONS {
                return Err(MetricsError::invalid(format!(
                    "The collection Dimensions must not have a size greater than {MAX_DIMENSIONS}."
                )));
            }
            let dims: Vec<Dimension> = dimensions
                .iter()
                .map(|(n, v)| Dimension::new(n.clone(), v.clone()))
                .collect();
            crate::validate::check_dimensions("Dimensions", &dims)?;
            dimensions.sort();
            Ok(DetectorTarget::Single {
                namespace,
                metric_name,
                dimensions,
                stat,
            })
        }
        DetectorTarget::Math { queries } => {
            if queries.is_empty() {
                return Err(MetricsError::missing(
                    "The parameter MetricMathAnomalyDetector.MetricDataQueries is required.",
                ));
            }
            let returned = queries.iter().filter(|q| q.return_data).count();
            if returned != 1 {
                return Err(MetricsError::invalid(
                    "Exactly one element of the MetricDataQueries array must have ReturnData set to true.",
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for (i, q) in queries.iter().enumerate() {
                let path = format!(
                    "MetricMathAnomalyDetector.MetricDataQueries.member.{}",
                    i + 1
                );
                let valid_id = q.id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && q.id.len() <= 255;
                if !valid_id || !seen.insert(q.id.as_str()) {
                    return Err(MetricsError::invalid(format!(
                        "The value {} for parameter {path}.Id is invalid. Ids must be unique, start with a lowercase letter and contain only letters, numbers and underscores.",
                        q.id
                    )));
                }
                match &q.expression {
                    Some(e) => {
                        if e.contains("ANOMALY_DETECTION_BAND") {
                            return Err(MetricsError::invalid(format!(
                                "The value {e} for parameter {path}.Expression is invalid."
                            )));
                        }
                        crate::math::parse(e).map_err(|err| {
                            MetricsError::invalid(format!("Error in expression {}: {err}", q.id))
                        })?;
                    }
                    None => {
                        if Statistic::parse(&q.stat).is_none() {
                            return Err(MetricsError::invalid(format!(
                                "The value {} for parameter {path}.MetricStat.Stat is invalid.",
                                q.stat
                            )));
                        }
                        check_period(q.period, &format!("{path}.MetricStat.Period"))?;
                    }
                }
            }
            Ok(DetectorTarget::Math { queries })
        }
    }
}

/// Validates a configuration: at most ten ranges, each with its start before its end, and a
/// time zone of the tz database.
pub fn validate_config(config: &DetectorConfig) -> Result<(), MetricsError> {
    if config.excluded.len() > MAX_EXCLUDED_RANGES {
        return Err(MetricsError::invalid(format!(
            "The collection Configuration.ExcludedTimeRanges must not have a size greater than {MAX_EXCLUDED_RANGES}."
        )));
    }
    for (s, e) in &config.excluded {
        if s >= e {
            return Err(MetricsError::invalid(
                "The StartTime of an excluded time range must be before its EndTime.",
            ));
        }
    }
    if let Some(tz) = &config.timezone
        && (tz.len() > 50 || Zone::load(tz).is_none())
    {
        return Err(MetricsError::invalid(format!(
            "The value {tz} for parameter Configuration.MetricTimezone is invalid."
        )));
    }
    Ok(())
}

/// The detectors, and where they are kept.
#[derive(Debug)]
pub(crate) struct DetectorFile {
    dir: PathBuf,
    pub list: Vec<Detector>,
    pub next_seq: u64,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    next_seq: u64,
    detectors: Vec<Detector>,
}

impl DetectorFile {
    /// Loads the detectors stored in `dir` (none if the file does not exist).
    pub fn open(dir: &Path) -> Result<DetectorFile, MetricsError> {
        let path = dir.join(DETECTORS_FILE);
        let (list, next_seq) = match std::fs::read(&path) {
            Ok(bytes) => {
                let d: OnDisk = serde_json::from_slice(&bytes).map_err(|e| {
                    MetricsError::corrupt(path.display().to_string(), e.to_string())
                })?;
                (d.detectors, d.next_seq)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), 1),
            Err(e) => return Err(MetricsError::io("read", &path, e)),
        };
        Ok(DetectorFile {
            dir: dir.to_path_buf(),
            list,
            next_seq,
        })
    }

    /// Writes `list` durably; only then does it replace the one in memory.
    pub fn store(&mut self, list: Vec<Detector>, next_seq: u64) -> Result<(), MetricsError> {
        let d = OnDisk {
            next_seq,
            detectors: list,
        };
        let bytes = serde_json::to_vec(&d)
            .map_err(|e| MetricsError::corrupt("anomaly detectors", e.to_string()))?;
        crate::block::write_file(&self.dir, DETECTORS_FILE, &bytes)?;
        self.list = d.detectors;
        self.next_seq = d.next_seq;
        Ok(())
    }
}
