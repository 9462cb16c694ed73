//! The audit hook: every call that names an account becomes one [`AuditEvent`], handed to an
//! [`AuditSink`] (the trail) in one place, the pipeline.

use std::net::IpAddr;
use std::sync::Arc;

use crate::auth::Caller;
use crate::service::Service;
use crate::value::Value;

/// One audited API call.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub time_millis: i64,
    pub service: Service,
    pub operation: String,
    pub region: String,
    pub source_ip: IpAddr,
    pub user_agent: String,
    pub caller: Arc<Caller>,
    /// The input with lowerCamelCase member names, secrets removed; `None` when unreadable.
    pub request_parameters: Option<serde_json::Value>,
    /// The output of a mutating call, lowerCamelCase, secrets removed.
    pub response_elements: Option<serde_json::Value>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: String,
    pub read_only: bool,
    /// ARNs of the resources the call named.
    pub resources: Vec<String>,
}

/// Where audit events go. Must not block the request for long.
pub trait AuditSink: Send + Sync + 'static {
    fn record(&self, event: AuditEvent);
}

/// The member paths of a data-plane call's input that carry its payload, which the audit record
/// leaves out: the metric datums of `PutMetricData`, the messages of `PutLogEvents`, each entry's
/// `Detail` of `PutEvents` (names, namespaces, groups, streams, sources and detail types stay).
/// These are high-volume data-plane calls (CloudTrail *data events*, "Logging data events",
/// CloudTrail User Guide); the payload is data, not an audit fact. Paths are as
/// [`crate::value::to_value_omitting`] takes them, in the operation's wire member names.
pub fn bulk_members(service: Service, operation: &str) -> &'static [&'static str] {
    match (service, operation) {
        (Service::CloudWatch, "PutMetricData") => &["MetricData"],
        (Service::Logs, "PutLogEvents") => &["logEvents"],
        (Service::Events, "PutEvents") => &["Entries/Detail"],
        _ => &[],
    }
}

/// A copy of a decoded input without the member paths in `omit` (see [`bulk_members`]); list
/// elements share their list's paths. What is left out is never copied.
pub fn clone_omitting(value: &Value, omit: &[&str]) -> Value {
    if omit.is_empty() {
        return value.clone();
    }
    match value {
        Value::Struct(members) => Value::Struct(
            members
                .iter()
                .filter_map(|(k, v)| {
                    let mut rest = Vec::new();
                    for path in omit {
                        match path.strip_prefix(k.as_str()) {
                            Some("") => return None,
                            Some(r) if r.starts_with('/') => rest.push(&r[1..]),
                            _ => {}
                        }
                    }
                    Some((k.clone(), clone_omitting(v, &rest)))
                })
                .collect(),
        ),
        Value::List(items) => Value::List(items.iter().map(|v| clone_omitting(v, omit)).collect()),
        other => other.clone(),
    }
}

/// Converts a decoded shape to the JSON the trail records: lowerCamelCase member names (as
/// CloudTrail writes `requestParameters`), secrets named in `sensitive` dropped.
pub fn trail_json(value: &Value, sensitive: &[&str]) -> serde_json::Value {
    match value {
        Value::Struct(members) => serde_json::Value::Object(
            members
                .iter()
                .filter(|(k, _)| !sensitive.contains(&k.as_str()))
                .map(|(k, v)| (crate::service::lower_camel(k), trail_json(v, sensitive)))
                .collect(),
        ),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), trail_json(v, sensitive)))
                .collect(),
        ),
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(|v| trail_json(v, sensitive)).collect())
        }
        other => other.to_json(),
    }
}
