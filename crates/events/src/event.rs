//! Events as EventBridge shapes them: PutEvents entry validation (per-entry error codes), the
//! request size AWS computes, and the event envelope rules match against.

use serde_json::{Map, Value};

use crate::limits::{MAX_PUT_EVENTS_BYTES, TIME_ENTRY_BYTES};

/// One PutEvents entry as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventEntry {
    pub time_millis: Option<i64>,
    pub source: Option<String>,
    pub detail_type: Option<String>,
    pub detail: Option<String>,
    pub resources: Vec<String>,
    pub event_bus_name: Option<String>,
}

/// The outcome of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    Accepted { event_id: String },
    Failed { code: String, message: String },
}

impl EntryResult {
    pub(crate) fn failed(code: &str, message: impl Into<String>) -> Self {
        EntryResult::Failed {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The size AWS counts for an entry: 14 bytes for a `Time`, plus the UTF-8 bytes of `Source`,
/// `DetailType`, `Detail` and each resource.
pub fn entry_size(e: &EventEntry) -> usize {
    let mut size = if e.time_millis.is_some() {
        TIME_ENTRY_BYTES
    } else {
        0
    };
    size += e.source.as_deref().map_or(0, str::len);
    size += e.detail_type.as_deref().map_or(0, str::len);
    size += e.detail.as_deref().map_or(0, str::len);
    size += e.resources.iter().map(String::len).sum::<usize>();
    size
}

/// Whether the entries together exceed the 256 KB request limit.
pub fn entries_too_large(entries: &[EventEntry]) -> bool {
    entries.iter().map(entry_size).sum::<usize>() > MAX_PUT_EVENTS_BYTES
}

/// Checks an entry's members; returns the parsed detail, or the per-entry error.
pub(crate) fn check_entry(e: &EventEntry) -> Result<(String, String, Value), EntryResult> {
    let required = |member: &str, v: &Option<String>| match v.as_deref() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
        _ => Err(EntryResult::failed(
            "InvalidArgument",
            format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
        )),
    };
    let source = required("Source", &e.source)?;
    let detail_type = required("DetailType", &e.detail_type)?;
    let detail_text = required("Detail", &e.detail)?;
    let detail: Value = match serde_json::from_str(&detail_text) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Err(EntryResult::failed(
                "MalformedDetail",
                "Detail is malformed.",
            ));
        }
    };
    if source.starts_with("aws.") {
        return Err(EntryResult::failed(
            "NotAuthorizedForSourceException",
            "Not authorized for the source.",
        ));
    }
    Ok((source, detail_type, detail))
}

/// Formats milliseconds as EventBridge's event `time` (RFC 3339, whole seconds, UTC).
pub fn format_time(millis: i64) -> String {
    jiff::Timestamp::from_second(millis.div_euclid(1000))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// The fields of an event envelope.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub detail_type: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub time_millis: i64,
    pub resources: &'a [String],
    pub detail: Value,
}

/// Builds the event as rules and targets see it.
pub fn envelope(e: Envelope<'_>) -> Value {
    let mut m = Map::new();
    m.insert("version".into(), Value::String("0".into()));
    m.insert("id".into(), Value::String(e.id.to_owned()));
    m.insert(
        "detail-type".into(),
        Value::String(e.detail_type.to_owned()),
    );
    m.insert("source".into(), Value::String(e.source.to_owned()));
    m.insert("account".into(), Value::String(e.account.to_owned()));
    m.insert("time".into(), Value::String(format_time(e.time_millis)));
    m.insert("region".into(), Value::String(e.region.to_owned()));
    m.insert(
        "resources".into(),
        Value::Array(e.resources.iter().cloned().map(Value::String).collect()),
    );
    m.insert("detail".into(), e.detail);
    Value::Object(m)
}

/// The members TestEventPattern requires of an event.
pub const REQUIRED_EVENT_FIELDS: [&str; 7] = [
    "id",
    "account",
    "source",
    "time",
    "region",
    "resources",
    "detail-type",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_computed_as_documented() {
        let e = EventEntry {
            time_millis: Some(1),
            source: Some("app".into()),
            detail_type: Some("tÿpe".into()),
            detail: Some("{}".into()),
            resources: vec!["r1".into(), "r22".into()],
            event_bus_name: Some("ignored-in-size".into()),
        };
        assert_eq!(entry_size(&e), 14 + 3 + 5 + 2 + 2 + 3);
        let big = EventEntry {
            detail: Some(format!(
                "{{\"a\":\"{}\"}}",
                "x".repeat(MAX_PUT_EVENTS_BYTES)
            )),
            ..e
        };
        assert!(entries_too_large(&[big]));
    }

    #[test]
    fn entry_errors() {
        let ok = EventEntry {
            source: Some("app".into()),
            detail_type: Some("t".into()),
            detail: Some("{\"a\":1}".into()),
            ..Default::default()
        };
        assert!(check_entry(&ok).is_ok());
        let code = |e: EventEntry| match check_entry(&e) {
            Err(EntryResult::Failed { code, message }) => format!("{code}: {message}"),
            _ => "ok".into(),
        };
        assert_eq!(
            code(EventEntry {
                source: None,
                ..ok.clone()
            }),
            "InvalidArgument: Parameter Source is not valid. Reason: Source is a required argument."
        );
        assert_eq!(
            code(EventEntry {
                detail: Some("[1]".into()),
                ..ok.clone()
            }),
            "MalformedDetail: Detail is malformed."
        );
        assert_eq!(
            code(EventEntry {
                detail: Some("{".into()),
                ..ok.clone()
            }),
            "MalformedDetail: Detail is malformed."
        );
        assert!(
            code(EventEntry {
                source: Some("aws.ec2".into()),
                ..ok
            })
            .starts_with("NotAuthorizedForSourceException")
        );
    }

    #[test]
    fn time_format() {
        assert_eq!(format_time(1_447_277_394_999), "2015-11-11T21:29:54Z");
    }
}
