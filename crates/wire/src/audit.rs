//! The audit hook: every call that names an account becomes one [`AuditEvent`], handed to an
//! [`AuditSink`] (the trail) in one place, the pipeline.

use std::net::IpAddr;
use std::sync::Arc;

use crate::auth::Caller;
use crate::service::Service;

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

/// Converts a decoded shape to the JSON the trail records: lowerCamelCase member names (as
/// CloudTrail writes `requestParameters`), secrets named in `sensitive` dropped.
pub fn trail_json(value: &crate::value::Value, sensitive: &[&str]) -> serde_json::Value {
    use crate::value::Value;
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
