//! Log streams.

use super::*;

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
