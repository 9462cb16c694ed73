//! CloudWatch Logs through the real pipeline (JSON 1.1, `Logs_20140328`): every registered
//! operation, its errors, and the PutLogEvents limits.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use openwatch_logs::{Catalog, LogStore, LogStoreOptions, SimClock};
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use openwatch_wire::{Registry, Service};

const T0: i64 = 1_764_000_000_000;
const DAY: i64 = 86_400_000;

struct Env {
    client: TestClient,
    store: Arc<LogStore>,
    clock: Arc<SimClock>,
    dir: TempDir,
}

/// Removes the test's directory when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env() -> Env {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "openwatch-logs-facade-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(SimClock::new(T0));
    let catalog = Arc::new(Catalog::open(&dir.join("catalog.redb")).unwrap());
    let store = Arc::new(
        LogStore::open(
            &dir.join("logs"),
            catalog,
            clock.clone(),
            LogStoreOptions::default(),
        )
        .unwrap(),
    );
    let mut registry = Registry::new();
    openwatch_services::logs::register(&mut registry, Arc::clone(&store));
    let c = clock.clone();
    let client = TestClient::new(
        registry,
        Arc::new(move || openwatch_logs::Clock::now_millis(&*c)),
    );
    Env {
        client,
        store,
        clock,
        dir: TempDir(dir),
    }
}

impl Env {
    async fn call(&self, op: &str, body: Value) -> (u16, Value) {
        let resp = self.client.json(Service::Logs, op, body).await;
        let status = resp.status;
        let text = resp.text();
        let v = if text.is_empty() {
            json!({})
        } else {
            serde_json::from_str(&text).unwrap_or(json!({ "raw": text }))
        };
        (status, v)
    }

    async fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = self.call(op, body).await;
        assert_eq!(status, 200, "{op}: {v}");
        v
    }

    async fn err(&self, op: &str, body: Value) -> (String, String) {
        let (status, v) = self.call(op, body).await;
        assert_eq!(status, 400, "{op}: {v}");
        (
            v["__type"].as_str().unwrap_or_default().to_owned(),
            v["message"].as_str().unwrap_or_default().to_owned(),
        )
    }

    async fn group_and_stream(&self, g: &str, s: &str) {
        self.ok("CreateLogGroup", json!({"logGroupName": g})).await;
        self.ok(
            "CreateLogStream",
            json!({"logGroupName": g, "logStreamName": s}),
        )
        .await;
    }

    async fn put(&self, g: &str, s: &str, events: Value) -> Value {
        self.ok(
            "PutLogEvents",
            json!({"logGroupName": g, "logStreamName": s, "logEvents": events}),
        )
        .await
    }
}

fn messages(v: &Value) -> Vec<String> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_describe_delete_log_group() {
    let e = env();
    e.ok(
        "CreateLogGroup",
        json!({"logGroupName": "/app/web", "tags": {"team": "a"}}),
    )
    .await;
    let (code, msg) = e
        .err("CreateLogGroup", json!({"logGroupName": "/app/web"}))
        .await;
    assert_eq!(code, "ResourceAlreadyExistsException");
    assert_eq!(msg, "The specified log group already exists");
    let (code, msg) = e
        .err("CreateLogGroup", json!({"logGroupName": "bad name"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("[\\.\\-_/#A-Za-z0-9]+"), "{msg}");
    let (code, _) = e
        .err(
            "CreateLogGroup",
            json!({"logGroupName": "x", "logGroupClass": "CHEAP"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, msg) = e.err("CreateLogGroup", json!({})).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("logGroupName"), "{msg}");

    let v = e.ok("DescribeLogGroups", json!({})).await;
    let g = &v["logGroups"][0];
    assert_eq!(g["logGroupName"], "/app/web");
    assert_eq!(g["creationTime"], T0);
    assert_eq!(g["logGroupClass"], "STANDARD");
    assert_eq!(g["storedBytes"], 0);
    assert_eq!(g["metricFilterCount"], 0);
    assert_eq!(
        g["arn"],
        format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:/app/web:*")
    );
    assert_eq!(
        g["logGroupArn"],
        format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:/app/web")
    );
    assert!(g.get("retentionInDays").is_none());

    e.ok("DeleteLogGroup", json!({"logGroupName": "/app/web"}))
        .await;
    let (code, msg) = e
        .err("DeleteLogGroup", json!({"logGroupName": "/app/web"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, "The specified log group does not exist.");
    let v = e.ok("DescribeLogGroups", json!({})).await;
    assert_eq!(v["logGroups"], json!([]));
}

#[tokio::test]
async fn describe_log_groups_filters_and_paginates() {
    let e = env();
    for n in ["/a/1", "/a/2", "/a/3", "/b/Web", "other"] {
        e.ok("CreateLogGroup", json!({"logGroupName": n})).await;
    }
    let v = e
        .ok(
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "/a/", "limit": 2}),
        )
        .await;
    assert_eq!(v["logGroups"].as_array().unwrap().len(), 2);
    let token = v["nextToken"].as_str().unwrap().to_owned();
    let v = e
        .ok(
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "/a/", "limit": 2, "nextToken": token}),
        )
        .await;
    assert_eq!(v["logGroups"][0]["logGroupName"], "/a/3");
    assert!(v.get("nextToken").is_none());
    let v = e
        .ok("DescribeLogGroups", json!({"logGroupNamePattern": "web"}))
        .await;
    assert_eq!(v["logGroups"][0]["logGroupName"], "/b/Web");
    let (code, _) = e.err("DescribeLogGroups", json!({"limit": 51})).await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "a", "logGroupNamePattern": "b"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err("DescribeLogGroups", json!({"nextToken": "garbage"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn retention_policy_put_and_delete() {
    let e = env();
    e.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    e.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "g", "retentionInDays": 30}),
    )
    .await;
    let v = e.ok("DescribeLogGroups", json!({})).await;
    assert_eq!(v["logGroups"][0]["retentionInDays"], 30);
    let (code, msg) = e
        .err(
            "PutRetentionPolicy",
            json!({"logGroupName": "g", "retentionInDays": 2}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"), "{msg}");
    let (code, _) = e
        .err(
            "PutRetentionPolicy",
            json!({"logGroupName": "nope", "retentionInDays": 1}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    e.ok("DeleteRetentionPolicy", json!({"logGroupName": "g"}))
        .await;
    let v = e.ok("DescribeLogGroups", json!({})).await;
    assert!(v["logGroups"][0].get("retentionInDays").is_none());
    let (code, _) = e
        .err("DeleteRetentionPolicy", json!({"logGroupName": "nope"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn streams_create_describe_delete() {
    let e = env();
    let (code, msg) = e
        .err(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, "The specified log group does not exist.");
    // Vector relies on an empty array, not a missing member.
    e.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    let v = e
        .ok("DescribeLogStreams", json!({"logGroupName": "g"}))
        .await;
    assert_eq!(v["logStreams"], json!([]));
    for s in ["b", "a", "c"] {
        e.ok(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": s}),
        )
        .await;
    }
    let (code, msg) = e
        .err(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "a"}),
        )
        .await;
    assert_eq!(code, "ResourceAlreadyExistsException");
    assert_eq!(msg, "The specified log stream already exists");
    let (code, _) = e
        .err(
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "a:b"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    e.put("g", "c", json!([{"timestamp": T0 - 10, "message": "x"}]))
        .await;
    e.put("g", "a", json!([{"timestamp": T0 - 5, "message": "y"}]))
        .await;
    let v = e
        .ok("DescribeLogStreams", json!({"logGroupName": "g"}))
        .await;
    let names: Vec<&str> = v["logStreams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["logStreamName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let a = &v["logStreams"][0];
    assert_eq!(a["firstEventTimestamp"], T0 - 5);
    assert_eq!(a["lastEventTimestamp"], T0 - 5);
    assert_eq!(a["lastIngestionTime"], T0);
    assert!(a["uploadSequenceToken"].is_string());
    assert_eq!(
        a["arn"],
        format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:g:log-stream:a")
    );
    let v = e
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "limit": 1}),
        )
        .await;
    assert_eq!(v["logStreams"][0]["logStreamName"], "a");
    let token = v["nextToken"].as_str().unwrap().to_owned();
    let v = e
        .ok(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "limit": 1, "nextToken": token}),
        )
        .await;
    assert_eq!(v["logStreams"][0]["logStreamName"], "c");
    let v = e
        .ok(
            "DescribeLogStreams",
            json!({"logGroupIdentifier": format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:g"), "logStreamNamePrefix": "b"}),
        )
        .await;
    assert_eq!(v["logStreams"].as_array().unwrap().len(), 1);
    let (code, msg) = e
        .err(
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "b"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        "Cannot order by LastEventTime with a logStreamNamePrefix."
    );
    let (code, _) = e.err("DescribeLogStreams", json!({})).await;
    assert_eq!(code, "InvalidParameterException");
    e.ok(
        "DeleteLogStream",
        json!({"logGroupName": "g", "logStreamName": "a"}),
    )
    .await;
    let (code, msg) = e
        .err(
            "DeleteLogStream",
            json!({"logGroupName": "g", "logStreamName": "a"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, "The specified log stream does not exist.");
}

#[tokio::test]
async fn put_get_filter_round_trip() {
    let e = env();
    e.group_and_stream("g", "s").await;
    let v = e
        .ok(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "sequenceToken": "whatever",
                   "logEvents": [{"timestamp": T0 - 3, "message": "ERROR one"},
                                 {"timestamp": T0 - 2, "message": "INFO two"},
                                 {"timestamp": T0 - 1, "message": "ERROR three"}]}),
        )
        .await;
    assert!(v["nextSequenceToken"].is_string());
    assert!(v.get("rejectedLogEventsInfo").is_none());

    let v = e
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true}),
        )
        .await;
    assert_eq!(messages(&v), ["ERROR one", "INFO two", "ERROR three"]);
    assert_eq!(v["events"][0]["timestamp"], T0 - 3);
    assert_eq!(v["events"][0]["ingestionTime"], T0);
    // At the end, the same forward token comes back.
    let f = v["nextForwardToken"].as_str().unwrap().to_owned();
    let v = e
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "nextToken": f}),
        )
        .await;
    assert_eq!(v["events"], json!([]));
    assert_eq!(v["nextForwardToken"], f);
    let (code, _) = e
        .err(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "limit": 10001}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    // endTime is exclusive for GetLogEvents.
    let v = e
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "startTime": T0 - 3, "endTime": T0 - 1}),
        )
        .await;
    assert_eq!(messages(&v), ["ERROR one", "INFO two"]);

    let v = e
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "ERROR"}),
        )
        .await;
    assert_eq!(messages(&v), ["ERROR one", "ERROR three"]);
    assert_eq!(v["events"][0]["logStreamName"], "s");
    assert!(v["events"][0]["eventId"].is_string());
    assert_eq!(
        v["searchedLogStreams"],
        json!([{"logStreamName": "s", "searchedCompletely": true}])
    );
    let v = e
        .ok("FilterLogEvents", json!({"logGroupName": "g", "limit": 1}))
        .await;
    assert_eq!(messages(&v), ["ERROR one"]);
    let token = v["nextToken"].as_str().unwrap().to_owned();
    let v = e
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "limit": 5, "nextToken": token}),
        )
        .await;
    assert_eq!(messages(&v), ["INFO two", "ERROR three"]);
    assert!(v.get("nextToken").is_none());
    let (code, msg) = e
        .err(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "{ $.a = "}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(msg, "Invalid filter pattern");
    let (code, _) = e
        .err(
            "FilterLogEvents",
            json!({"logGroupName": "g", "logStreamNames": ["s"], "logStreamNamePrefix": "s"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err("FilterLogEvents", json!({"logGroupName": "nope"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    // Survives a flush into chunks.
    e.store.flush_all().unwrap();
    let v = e
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "?three ?two"}),
        )
        .await;
    assert_eq!(messages(&v), ["INFO two", "ERROR three"]);
    let v = e.ok("DescribeLogGroups", json!({})).await;
    assert!(v["logGroups"][0]["storedBytes"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn put_log_events_limits() {
    let e = env();
    e.group_and_stream("g", "s").await;
    let ev = |ts: i64, msg: String| json!({"timestamp": ts, "message": msg});
    let put_err = |events: Value| {
        let e = &e;
        async move {
            e.err(
                "PutLogEvents",
                json!({"logGroupName": "g", "logStreamName": "s", "logEvents": events}),
            )
            .await
        }
    };
    // (description, events, expected message fragment)
    let big = "x".repeat(1_048_576 - 26);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "empty batch",
            json!([]),
            "Member must have length greater than or equal to 1",
        ),
        (
            "10,001 events",
            Value::Array((0..10_001).map(|_| ev(T0, "m".into())).collect()),
            "less than or equal to 10000",
        ),
        (
            "batch over 1,048,576 bytes counting 26 per event",
            json!([ev(T0, big.clone()), ev(T0, "a".into())]),
            "Upload too large: 1048603 bytes exceeds limit of 1048576",
        ),
        (
            "event over the per-event limit",
            json!([ev(T0, "y".repeat(1_048_551))]),
            "Log event too large",
        ),
        (
            "empty message",
            json!([ev(T0, String::new())]),
            "logEvents.1.member.message",
        ),
        (
            "not chronological",
            json!([ev(T0, "b".into()), ev(T0 - 1, "a".into())]),
            "must be in chronological order",
        ),
        (
            "span over 24 hours",
            json!([ev(T0 - DAY - 1, "a".into()), ev(T0, "b".into())]),
            "cannot span more than 24 hours",
        ),
    ];
    for (what, events, want) in cases {
        let (code, msg) = put_err(events).await;
        assert_eq!(code, "InvalidParameterException", "{what}");
        assert!(msg.contains(want), "{what}: {msg}");
    }
    // Exactly at the limits is fine: 10,000 events, and 1,048,576 bytes.
    e.put(
        "g",
        "s",
        Value::Array(
            (0..10_000)
                .map(|i| ev(T0 - 10_000 + i, "m".into()))
                .collect(),
        ),
    )
    .await;
    e.put("g", "s", json!([ev(T0, big)])).await;
    // Nothing of the failed batches was stored.
    let v = e
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "a"}),
        )
        .await;
    assert_eq!(v["events"], json!([]));
    // Too old, expired and too new are reported; the rest stored.
    e.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "g", "retentionInDays": 7}),
    )
    .await;
    let v = e
        .put(
            "g",
            "s",
            json!([
                ev(T0 - 15 * DAY, "old".into()),
                ev(T0 - 8 * DAY, "expired".into()),
                ev(T0 - 1, "kept".into()),
                ev(T0 + 2 * 3_600_000 + 1, "new".into())
            ]),
        )
        .await;
    assert_eq!(
        v["rejectedLogEventsInfo"],
        json!({"tooOldLogEventEndIndex": 1, "expiredLogEventEndIndex": 2, "tooNewLogEventStartIndex": 3})
    );
    let v = e
        .ok(
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "kept"}),
        )
        .await;
    assert_eq!(messages(&v), ["kept"]);
    // Unknown group and stream.
    let (code, _) = e
        .err(
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope", "logEvents": [ev(T0, "m".into())]}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn retention_hides_expired_events_through_the_api() {
    let e = env();
    e.group_and_stream("g", "s").await;
    e.put("g", "s", json!([{"timestamp": T0 - 1000, "message": "a"}]))
        .await;
    e.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "g", "retentionInDays": 1}),
    )
    .await;
    e.clock.advance(Duration::from_secs(86_400 + 10));
    let v = e
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "startFromHead": true}),
        )
        .await;
    assert_eq!(v["events"], json!([]));
    let v = e.ok("FilterLogEvents", json!({"logGroupName": "g"})).await;
    assert_eq!(v["events"], json!([]));
}

#[tokio::test]
async fn test_metric_filter_returns_extracted_values() {
    let e = env();
    let v = e
        .ok(
            "TestMetricFilter",
            json!({"filterPattern": "[ip, user, status=4*, bytes]",
                   "logEventMessages": ["1.2.3.4 bob 404 10", "1.2.3.4 bob 200 10", "x"]}),
        )
        .await;
    assert_eq!(
        v["matches"],
        json!([{"eventNumber": 1, "eventMessage": "1.2.3.4 bob 404 10",
                "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$status": "404", "$bytes": "10"}}])
    );
    let v = e
        .ok(
            "TestMetricFilter",
            json!({"filterPattern": "ERROR", "logEventMessages": ["ERROR a", "[INFO] 200 OK", "ERROR b"]}),
        )
        .await;
    let numbers: Vec<i64> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["eventNumber"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 3]);
    let (code, msg) = e
        .err(
            "TestMetricFilter",
            json!({"filterPattern": "{ $.a = ", "logEventMessages": ["x"]}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(msg, "Invalid metric filter pattern");
    let (code, _) = e
        .err(
            "TestMetricFilter",
            json!({"filterPattern": "x", "logEventMessages": []}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn tags_new_and_legacy_operations() {
    let e = env();
    e.ok(
        "CreateLogGroup",
        json!({"logGroupName": "g", "tags": {"a": "1"}}),
    )
    .await;
    let arn = format!("arn:aws:logs:us-east-1:{TEST_ACCOUNT}:log-group:g");
    e.ok(
        "TagResource",
        json!({"resourceArn": arn, "tags": {"b": "2"}}),
    )
    .await;
    let v = e
        .ok("ListTagsForResource", json!({"resourceArn": arn}))
        .await;
    assert_eq!(v["tags"], json!({"a": "1", "b": "2"}));
    e.ok(
        "UntagResource",
        json!({"resourceArn": format!("{arn}:*"), "tagKeys": ["a"]}),
    )
    .await;
    let v = e.ok("ListTagsLogGroup", json!({"logGroupName": "g"})).await;
    assert_eq!(v["tags"], json!({"b": "2"}));
    e.ok(
        "TagLogGroup",
        json!({"logGroupName": "g", "tags": {"c": "3"}}),
    )
    .await;
    e.ok("UntagLogGroup", json!({"logGroupName": "g", "tags": ["b"]}))
        .await;
    let v = e.ok("ListTagsLogGroup", json!({"logGroupName": "g"})).await;
    assert_eq!(v["tags"], json!({"c": "3"}));
    let (code, _) = e
        .err("ListTagsForResource", json!({"resourceArn": "not-an-arn"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "ListTagsForResource",
            json!({"resourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:g"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err("ListTagsLogGroup", json!({"logGroupName": "nope"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let too_many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (code, _) = e
        .err("TagResource", json!({"resourceArn": arn, "tags": too_many}))
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "TagLogGroup",
            json!({"logGroupName": "g", "tags": {"aws:x": "1"}}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn every_logs_call_is_audited() {
    let e = env();
    e.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    e.err("CreateLogGroup", json!({"logGroupName": "g"})).await;
    let events = e.client.audit.0.lock();
    assert_eq!(events.len(), 2);
    assert!(!events[0].read_only);
}

#[tokio::test]
async fn metric_filters_put_describe_delete() {
    let e = env();
    e.ok("CreateLogGroup", json!({"logGroupName": "g"})).await;
    e.ok("CreateLogGroup", json!({"logGroupName": "h"})).await;
    let mf = |group: &str, name: &str, pattern: &str, value: &str| {
        json!({"logGroupName": group, "filterName": name, "filterPattern": pattern,
               "metricTransformations": [{"metricName": "Errors", "metricNamespace": "App",
                                          "metricValue": value, "defaultValue": 0.0, "unit": "Count"}]})
    };
    e.ok("PutMetricFilter", mf("g", "errors", "ERROR", "1"))
        .await;
    e.ok(
        "PutMetricFilter",
        mf("g", "latency", "{ $.latency > 0 }", "$.latency"),
    )
    .await;
    e.ok(
        "PutMetricFilter",
        mf("h", "bytes", "[ip, user, bytes]", "$bytes"),
    )
    .await;
    // Replacing keeps one filter under the name.
    e.ok("PutMetricFilter", mf("g", "errors", "?ERROR ?FATAL", "1"))
        .await;
    let v = e
        .ok("DescribeMetricFilters", json!({"logGroupName": "g"}))
        .await;
    let f = &v["metricFilters"][0];
    assert_eq!(f["filterName"], "errors");
    assert_eq!(f["filterPattern"], "?ERROR ?FATAL");
    assert_eq!(f["logGroupName"], "g");
    assert_eq!(f["creationTime"], T0);
    assert_eq!(f["metricTransformations"][0]["metricValue"], "1");
    assert_eq!(f["metricTransformations"][0]["defaultValue"], 0.0);
    assert_eq!(v["metricFilters"].as_array().unwrap().len(), 2);
    let v = e.ok("DescribeLogGroups", json!({})).await;
    assert_eq!(v["logGroups"][0]["metricFilterCount"], 2);
    // Across groups, paginated.
    let v = e.ok("DescribeMetricFilters", json!({"limit": 2})).await;
    assert_eq!(v["metricFilters"].as_array().unwrap().len(), 2);
    let t = v["nextToken"].as_str().unwrap().to_owned();
    let v = e
        .ok("DescribeMetricFilters", json!({"limit": 2, "nextToken": t}))
        .await;
    assert_eq!(v["metricFilters"][0]["filterName"], "bytes");
    assert!(v.get("nextToken").is_none());
    let v = e
        .ok(
            "DescribeMetricFilters",
            json!({"metricName": "Errors", "metricNamespace": "App", "logGroupName": "g", "filterNamePrefix": "lat"}),
        )
        .await;
    assert_eq!(v["metricFilters"][0]["filterName"], "latency");

    // Validation.
    let cases = [
        (
            mf("g", "bad", "{ $.a = ", "1"),
            "Invalid metric filter pattern",
        ),
        (mf("g", "bad", "ERROR", "$.latency"), "Invalid metric value"),
        (mf("g", "bad:name", "ERROR", "1"), "filterName"),
        (
            json!({"logGroupName": "g", "filterName": "d", "filterPattern": "[a, b]",
                   "metricTransformations": [{"metricName": "M", "metricNamespace": "N", "metricValue": "1",
                                              "defaultValue": 1.0, "dimensions": {"A": "$a"}}]}),
            "default value",
        ),
        (
            json!({"logGroupName": "g", "filterName": "d", "filterPattern": "x",
                   "metricTransformations": [{"metricName": "M", "metricNamespace": "N", "metricValue": "1", "unit": "Parsecs"}]}),
            "enum value set",
        ),
        (
            json!({"logGroupName": "g", "filterName": "d", "filterPattern": "x", "metricTransformations": []}),
            "metricTransformations",
        ),
    ];
    for (body, want) in cases {
        let (code, msg) = e.err("PutMetricFilter", body).await;
        assert_eq!(code, "InvalidParameterException");
        assert!(msg.contains(want), "{want}: {msg}");
    }
    let (code, _) = e
        .err("PutMetricFilter", mf("nope", "x", "ERROR", "1"))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err("DescribeMetricFilters", json!({"filterNamePrefix": "x"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err("DescribeMetricFilters", json!({"metricName": "Errors"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
    // Regex quota: five patterns with a regex per group.
    for i in 0..5 {
        e.ok(
            "PutMetricFilter",
            mf("h", &format!("re{i}"), "%ERR[0-9]%", "1"),
        )
        .await;
    }
    let (code, _) = e
        .err("PutMetricFilter", mf("h", "re5", "%ERR[0-9]%", "1"))
        .await;
    assert_eq!(code, "LimitExceededException");

    e.ok(
        "DeleteMetricFilter",
        json!({"logGroupName": "g", "filterName": "errors"}),
    )
    .await;
    let (code, msg) = e
        .err(
            "DeleteMetricFilter",
            json!({"logGroupName": "g", "filterName": "errors"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, "The specified metric filter does not exist.");
    // Stored durably: a reopened store has them.
    let Env {
        client, store, dir, ..
    } = e;
    drop(client);
    drop(Arc::try_unwrap(store).ok().unwrap());
    let catalog = Arc::new(Catalog::open(&dir.0.join("catalog.redb")).unwrap());
    let store = LogStore::open(
        &dir.0.join("logs"),
        catalog,
        Arc::new(SimClock::new(T0)),
        LogStoreOptions::default(),
    )
    .unwrap();
    let page = store
        .describe_metric_filters(
            TEST_ACCOUNT,
            "us-east-1",
            &openwatch_logs::MetricFilterQuery::default(),
        )
        .unwrap();
    assert_eq!(page.filters.len(), 7);
}
