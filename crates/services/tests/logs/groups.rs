//! Log groups: create/describe/delete, retention policies, tags, and auditing.

use super::*;

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
