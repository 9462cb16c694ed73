//! What the log store returns: log groups, streams, events and pages of them.

use std::collections::BTreeMap;

/// A log group as DescribeLogGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupInfo {
    pub name: String,
    /// `arn:aws:logs:<region>:<account>:log-group:<name>` (AWS's `logGroupArn`; its `arn` adds `:*`).
    pub arn: String,
    pub creation_time: i64,
    pub retention_in_days: Option<i32>,
    pub log_group_class: String,
    pub kms_key_id: Option<String>,
    /// Bytes held: compressed chunk files plus events not yet in a chunk.
    pub stored_bytes: u64,
    pub metric_filter_count: u32,
}

/// A log stream as DescribeLogStreams reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogStreamInfo {
    pub name: String,
    pub arn: String,
    pub creation_time: i64,
    pub first_event_timestamp: Option<i64>,
    pub last_event_timestamp: Option<i64>,
    pub last_ingestion_time: Option<i64>,
    pub upload_sequence_token: String,
    pub stored_bytes: u64,
}

/// One event of GetLogEvents / FilterLogEvents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputEvent {
    pub log_stream_name: String,
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub message: String,
    /// Unique within the log group (FilterLogEvents' `eventId`).
    pub event_id: String,
}

/// Events rejected by PutLogEvents (exclusive end / inclusive start indexes, as AWS reports them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectedInfo {
    pub too_new_start_index: Option<i32>,
    pub too_old_end_index: Option<i32>,
    pub expired_end_index: Option<i32>,
}

impl RejectedInfo {
    pub fn is_empty(&self) -> bool {
        *self == RejectedInfo::default()
    }
}

/// PutLogEvents' answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutResult {
    pub next_sequence_token: String,
    pub rejected: Option<RejectedInfo>,
    /// How many events were stored.
    pub accepted: usize,
}

/// A page of log groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPage {
    pub groups: Vec<LogGroupInfo>,
    pub next_token: Option<String>,
}

/// A page of log streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPage {
    pub streams: Vec<LogStreamInfo>,
    pub next_token: Option<String>,
}

/// GetLogEvents' answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetEventsPage {
    pub events: Vec<OutputEvent>,
    pub next_forward_token: String,
    pub next_backward_token: String,
}

/// FilterLogEvents' answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPage {
    pub events: Vec<OutputEvent>,
    /// The streams searched (AWS's deprecated `searchedLogStreams`), each with whether it was
    /// searched completely.
    pub searched_streams: Vec<(String, bool)>,
    pub next_token: Option<String>,
}

/// A tag map.
pub type Tags = BTreeMap<String, String>;

/// How a metric filter turns matching events into a metric (`MetricTransformation`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    /// A number, or `$.selector` / `$field` read from the matched event.
    pub metric_value: String,
    pub default_value: Option<f64>,
    pub dimensions: BTreeMap<String, String>,
    pub unit: Option<String>,
}

/// A metric filter of a log group (stored in the group's record; ingestion emits its values through
/// the store's [`crate::MetricSink`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: String,
    pub transformations: Vec<MetricTransformation>,
    pub creation_time: i64,
    pub log_group_name: String,
}

/// A page of metric filters.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFilterPage {
    pub filters: Vec<MetricFilter>,
    pub next_token: Option<String>,
}
