//! PutLogEvents/GetLogEvents/FilterLogEvents, their limits, and retention.

use super::*;

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
