//! `strip_bulk`: removes the bulk payloads of data-plane calls from `requestParameters`, so that an
//! audit record names the call and its target without copying the data it carried.
//!
//! Sources (AWS documentation, checked while writing this):
//! - CloudTrail keeps *management* events in Event history; high-volume data-plane operations are
//!   *data events* that trails log only when asked to ("Logging data events", CloudTrail User
//!   Guide). CloudWatch's metric data APIs (`PutMetricData`, `GetMetricData`…) and CloudWatch
//!   Logs' event APIs (`PutLogEvents`, `GetLogEvents`, `FilterLogEvents`) are in that class, and
//!   EventBridge added opt-in CloudTrail logging of `PutEvents` as a data event in May 2026.
//! - Whichever of those calls the pipeline records, the payload itself does not belong in an
//!   audit record: the metric datums, the log messages and the events' `Detail` documents are
//!   removed; names, namespaces, groups, streams, sources and detail types stay.
//!
//! Keys are matched in both the API's own casing (`MetricData`) and CloudTrail's lower-camel
//! casing (`metricData`), since `requestParameters` uses the latter.

use serde_json::Value;

/// Removes what CloudTrail leaves out of `requestParameters` for bulk data-plane calls:
/// `PutMetricData` → `MetricData`; `PutLogEvents` → `logEvents`; `PutEvents` → each entry's
/// `Detail`. Other calls are left unchanged. Returns whether anything was removed.
pub fn strip_bulk(event_name: &str, request_parameters: &mut Value) -> bool {
    let Some(obj) = request_parameters.as_object_mut() else {
        return false;
    };
    match event_name {
        "PutMetricData" => remove_either(obj, "MetricData", "metricData"),
        "PutLogEvents" => remove_either(obj, "LogEvents", "logEvents"),
        "PutEvents" => {
            let mut removed = false;
            for key in ["Entries", "entries"] {
                if let Some(Value::Array(entries)) = obj.get_mut(key) {
                    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                        removed |= remove_either(entry, "Detail", "detail");
                    }
                }
            }
            removed
        }
        _ => false,
    }
}

fn remove_either(obj: &mut serde_json::Map<String, Value>, a: &str, b: &str) -> bool {
    let ra = obj.remove(a).is_some();
    let rb = obj.remove(b).is_some();
    ra || rb
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn put_metric_data_loses_its_datums_but_keeps_the_namespace() {
        let mut v = json!({"namespace": "App", "metricData": [{"metricName": "x", "value": 1}]});
        assert!(strip_bulk("PutMetricData", &mut v));
        assert_eq!(v, json!({"namespace": "App"}));
        let mut v = json!({"Namespace": "App", "MetricData": []});
        assert!(strip_bulk("PutMetricData", &mut v));
        assert_eq!(v, json!({"Namespace": "App"}));
    }

    #[test]
    fn put_log_events_loses_its_messages() {
        let mut v =
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"message": "m"}]});
        assert!(strip_bulk("PutLogEvents", &mut v));
        assert_eq!(v, json!({"logGroupName": "g", "logStreamName": "s"}));
    }

    #[test]
    fn put_events_keeps_entries_without_detail() {
        let mut v = json!({"entries": [
            {"source": "app", "detailType": "t", "detail": "{\"a\":1}"},
            {"source": "app", "detailType": "u"}
        ]});
        assert!(strip_bulk("PutEvents", &mut v));
        assert_eq!(
            v,
            json!({"entries": [{"source": "app", "detailType": "t"}, {"source": "app", "detailType": "u"}]})
        );
    }

    #[test]
    fn other_calls_and_non_objects_are_untouched() {
        let mut v = json!({"alarmName": "a", "metricData": 1});
        assert!(!strip_bulk("PutMetricAlarm", &mut v));
        assert_eq!(v, json!({"alarmName": "a", "metricData": 1}));
        let mut n = Value::Null;
        assert!(!strip_bulk("PutMetricData", &mut n));
    }
}
