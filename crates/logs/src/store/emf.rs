//! Embedded Metric Format: log events whose message is a JSON object carrying
//! `_aws.CloudWatchMetrics` produce the metrics it declares (CloudWatch's EMF specification).
//!
//! - The message must be one JSON object (nothing before or after it) with
//!   `_aws: {Timestamp: <ms>, CloudWatchMetrics: [MetricDirective, ...]}`.
//! - A MetricDirective has `Namespace` (1–255 characters), `Dimensions` (an array of dimension
//!   sets, each an array of at most [`MAX_EMF_DIMENSIONS`] member names, possibly empty) and
//!   `Metrics` (at most [`MAX_EMF_METRICS`] definitions `{Name, Unit?, StorageResolution?}`;
//!   `Unit` is a CloudWatch unit, `StorageResolution` 1 or 60).
//! - Every name a directive references must be a top-level member: a dimension's value a
//!   non-empty string of at most 1024 characters, a metric's value a number or an array of at
//!   most [`MAX_EMF_VALUES`] numbers.
//! - Each metric value is emitted once per dimension set, at `_aws.Timestamp`.
//!
//! Like CloudWatch Logs, an invalid EMF document is not an error: the event is stored as any
//! other and produces no metric (AWS counts such events in its `EMFValidationErrors` metric,
//! which this server does not publish). A document is taken whole or not at all.

use std::sync::LazyLock;

use memchr::memmem;
use serde_json::{Map, Value};

use super::LogStore;
use super::emit::EmittedMetric;
use super::ingest::InputEvent;
use crate::limits::METRIC_UNITS;

/// Most dimension names in one EMF dimension set.
pub const MAX_EMF_DIMENSIONS: usize = 30;
/// Most metric definitions in one EMF directive.
pub const MAX_EMF_METRICS: usize = 100;
/// Most values of one EMF metric member.
pub const MAX_EMF_VALUES: usize = 100;
/// Longest EMF dimension value.
pub const MAX_EMF_DIMENSION_VALUE_LEN: usize = 1024;
/// Longest EMF namespace.
pub const MAX_EMF_NAMESPACE_LEN: usize = 255;

/// Whether a message may be an EMF document: it names the `"_aws"` member somewhere. Every
/// ingested event goes through this, so it is one SIMD substring search.
fn may_be_emf(message: &str) -> bool {
    static AWS_MEMBER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"_aws\""));
    AWS_MEMBER.find(message.as_bytes()).is_some()
}

/// The metrics an event's message declares in EMF, or `None` if it is not a valid EMF document.
pub fn parse_emf(message: &str) -> Option<Vec<EmittedMetric>> {
    if !may_be_emf(message) {
        return None;
    }
    let root: Map<String, Value> = serde_json::from_str(message.trim()).ok()?;
    let aws = root.get("_aws")?.as_object()?;
    let timestamp = aws.get("Timestamp")?.as_i64()?;
    let directives = aws.get("CloudWatchMetrics")?.as_array()?;
    let mut out = Vec::new();
    for d in directives {
        directive(&root, d.as_object()?, timestamp, &mut out)?;
    }
    Some(out)
}

fn directive(
    root: &Map<String, Value>,
    d: &Map<String, Value>,
    timestamp: i64,
    out: &mut Vec<EmittedMetric>,
) -> Option<()> {
    let namespace = d.get("Namespace")?.as_str()?;
    let n = namespace.chars().count();
    if n == 0 || n > MAX_EMF_NAMESPACE_LEN {
        return None;
    }
    let mut sets: Vec<Vec<(String, String)>> = Vec::new();
    for set in d.get("Dimensions")?.as_array()? {
        let names = set.as_array()?;
        if names.len() > MAX_EMF_DIMENSIONS {
            return None;
        }
        let mut dims = Vec::with_capacity(names.len());
        for name in names {
            let name = name.as_str()?;
            let value = root.get(name)?.as_str()?;
            if value.is_empty() || value.chars().count() > MAX_EMF_DIMENSION_VALUE_LEN {
                return None;
            }
            dims.push((name.to_owned(), value.to_owned()));
        }
        sets.push(dims);
    }
    let metrics = d.get("Metrics")?.as_array()?;
    if metrics.len() > MAX_EMF_METRICS {
        return None;
    }
    let mut defs = Vec::with_capacity(metrics.len());
    for m in metrics {
        let m = m.as_object()?;
        let name = m.get("Name")?.as_str()?;
        if name.is_empty() {
            return None;
        }
        let unit = match m.get("Unit") {
            None => None,
            Some(u) => {
                let u = u.as_str()?;
                if !METRIC_UNITS.contains(&u) {
                    return None;
                }
                Some(u.to_owned())
            }
        };
        let resolution = match m.get("StorageResolution") {
            None => None,
            Some(r) => match r.as_i64()? {
                1 => Some(1),
                60 => None,
                _ => return None,
            },
        };
        let values: Vec<f64> = match root.get(name)? {
            Value::Number(n) => vec![n.as_f64()?],
            Value::Array(items) if items.len() <= MAX_EMF_VALUES => items
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<f64>>>()?,
            _ => return None,
        };
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        defs.push((name, unit, resolution, values));
    }
    for dims in &sets {
        for (name, unit, resolution, values) in &defs {
            for v in values {
                out.push(EmittedMetric {
                    namespace: namespace.to_owned(),
                    metric_name: (*name).to_owned(),
                    value: *v,
                    timestamp,
                    unit: unit.clone(),
                    dimensions: dims.clone(),
                    storage_resolution: *resolution,
                });
            }
        }
    }
    Some(())
}

impl LogStore {
    /// Emits the EMF metrics of durable events through the metric sink (if one is set).
    pub(crate) fn emit_emf(&self, account: &str, region: &str, events: &[InputEvent]) {
        let Some(sink) = self.emitter.sink() else {
            return;
        };
        let metrics: Vec<EmittedMetric> = events
            .iter()
            .filter_map(|e| parse_emf(&e.message))
            .flatten()
            .collect();
        if !metrics.is_empty() {
            sink.emit(account, region, metrics);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_emits_each_value_per_dimension_set() {
        let msg = r#"{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"App","Dimensions":[["Service"],["Service","Op"],[]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1},{"Name":"Hits"}]}]},"Service":"api","Op":"get","Latency":[10,20],"Hits":1,"other":"x"}"#;
        let m = parse_emf(msg).unwrap_or_default();
        assert_eq!(m.len(), 9, "{m:?}");
        let lat: Vec<_> = m.iter().filter(|x| x.metric_name == "Latency").collect();
        assert_eq!(lat.len(), 6);
        assert!(lat.iter().all(|x| x.unit.as_deref() == Some("Milliseconds")
            && x.storage_resolution == Some(1)
            && x.timestamp == 1_700_000_000_000
            && x.namespace == "App"));
        assert_eq!(
            lat[2].dimensions,
            vec![
                ("Service".into(), "api".into()),
                ("Op".into(), "get".into())
            ]
        );
        assert!(
            m.iter()
                .any(|x| x.metric_name == "Hits" && x.dimensions.is_empty() && x.unit.is_none())
        );
    }

    #[test]
    fn invalid_documents_emit_nothing() {
        let cases = [
            "plain text",
            r#"{"_aws":{"CloudWatchMetrics":[]}}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"","Dimensions":[],"Metrics":[]}]}}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[["Missing"]],"Metrics":[{"Name":"V"}]}]},"V":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[[]],"Metrics":[{"Name":"V"}]}]},"V":"1"}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[[]],"Metrics":[{"Name":"V","Unit":"Parsecs"}]}]},"V":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[[]],"Metrics":[{"Name":"V","StorageResolution":5}]}]},"V":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"A","Dimensions":[[]],"Metrics":[{"Name":"V"}]}]},"V":1} trailing"#,
        ];
        for c in cases {
            assert!(parse_emf(c).is_none(), "{c}");
        }
        let too_many = format!(
            r#"{{"_aws":{{"Timestamp":1,"CloudWatchMetrics":[{{"Namespace":"A","Dimensions":[[]],"Metrics":[{{"Name":"V"}}]}}]}},"V":[{}]}}"#,
            vec!["1"; 101].join(",")
        );
        assert!(parse_emf(&too_many).is_none());
    }
}
