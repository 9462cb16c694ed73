//! Subscription filters, destinations (with another account's policy) and export tasks.

use super::*;

const OTHER: &str = "999999999999";
const REGION: &str = "us-east-1";

#[tokio::test]
async fn subscription_filters_deliver_matching_events_and_enforce_limits() {
    let e = env();
    e.group_and_stream("/src", "s1").await;
    e.ok("CreateLogGroup", json!({"logGroupName": "/dst"}))
        .await;
    let dst = format!("arn:aws:logs:{REGION}:{TEST_ACCOUNT}:log-group:/dst");
    e.ok(
        "PutSubscriptionFilter",
        json!({"logGroupName": "/src", "filterName": "errors", "filterPattern": "ERROR",
               "destinationArn": dst, "distribution": "Random"}),
    )
    .await;
    e.ok(
        "PutSubscriptionFilter",
        json!({"logGroupName": "/src", "filterName": "all", "filterPattern": "", "destinationArn": dst}),
    )
    .await;
    let (code, msg) = e
        .err(
            "PutSubscriptionFilter",
            json!({"logGroupName": "/src", "filterName": "third", "filterPattern": "", "destinationArn": dst}),
        )
        .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("LimitExceededException", "Resource limit exceeded.")
    );
    let (code, _) = e
        .err(
            "PutSubscriptionFilter",
            json!({"logGroupName": "/src", "filterName": "all", "filterPattern": "",
                   "destinationArn": format!("arn:aws:kinesis:{REGION}:{TEST_ACCOUNT}:stream/k")}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let v = e
        .ok(
            "DescribeSubscriptionFilters",
            json!({"logGroupName": "/src"}),
        )
        .await;
    let filters = v["subscriptionFilters"].as_array().unwrap();
    assert_eq!(filters.len(), 2);
    assert_eq!(filters[0]["filterName"], "all");
    assert_eq!(filters[0]["distribution"], "ByLogStream");
    assert_eq!(filters[1]["distribution"], "Random");
    assert_eq!(filters[1]["destinationArn"], dst);
    assert_eq!(filters[1]["creationTime"], T0);
    e.ok(
        "DeleteSubscriptionFilter",
        json!({"logGroupName": "/src", "filterName": "all"}),
    )
    .await;
    let (code, _) = e
        .err(
            "DeleteSubscriptionFilter",
            json!({"logGroupName": "/src", "filterName": "all"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    e.put(
        "/src",
        "s1",
        json!([{"timestamp": T0 - 2, "message": "ERROR bad"}, {"timestamp": T0 - 1, "message": "INFO ok"}]),
    )
    .await;
    let report = e.store.deliver_subscriptions().unwrap();
    assert_eq!(report.delivered, 1);
    let stream = format!("{TEST_ACCOUNT}/{REGION}//src/s1");
    let v = e
        .ok(
            "GetLogEvents",
            json!({"logGroupName": "/dst", "logStreamName": stream, "startFromHead": true}),
        )
        .await;
    assert_eq!(messages(&v), ["ERROR bad"]);
    assert_eq!(v["events"][0]["timestamp"], T0 - 2);
}

#[tokio::test]
async fn another_accounts_destination_needs_its_policy() {
    let e = env();
    // The other account's aggregation group and destination (set up directly in the store).
    let arn = other_destination(&e);
    e.group_and_stream("app", "s").await;
    let put = json!({"logGroupName": "app", "filterName": "ship", "filterPattern": "",
                     "destinationArn": arn});
    let (code, msg) = e.err("PutSubscriptionFilter", put.clone()).await;
    assert_eq!(code, "AccessDeniedException");
    assert!(msg.contains(TEST_ACCOUNT), "{msg}");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": TEST_ACCOUNT}, "Action": "logs:PutSubscriptionFilter", "Resource": arn}]});
    e.store
        .put_destination_policy(OTHER, REGION, "central", &policy.to_string(), false)
        .unwrap();
    e.ok("PutSubscriptionFilter", put).await;
    e.put(
        "app",
        "s",
        json!([{"timestamp": T0 - 5, "message": "shipped"}]),
    )
    .await;
    e.store.deliver_subscriptions().unwrap();
    let page = e
        .store
        .filter_log_events(OTHER, REGION, "central", &Default::default())
        .unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].message, "shipped");
    assert_eq!(
        page.events[0].log_stream_name,
        format!("{TEST_ACCOUNT}/{REGION}/app/s")
    );
}

#[tokio::test]
async fn destinations_round_trip_through_the_api() {
    let e = env();
    e.ok("CreateLogGroup", json!({"logGroupName": "agg"})).await;
    let target = format!("arn:aws:logs:{REGION}:{TEST_ACCOUNT}:log-group:agg");
    let v = e
        .ok(
            "PutDestination",
            json!({"destinationName": "d1", "targetArn": target, "roleArn": "arn:aws:iam::123456789012:role/r"}),
        )
        .await;
    assert_eq!(
        v["destination"]["arn"],
        format!("arn:aws:logs:{REGION}:{TEST_ACCOUNT}:destination:d1")
    );
    assert_eq!(v["destination"]["creationTime"], T0);
    let policy = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["111122223333"]},
        "Action": "logs:PutSubscriptionFilter", "Resource": "*"}]})
    .to_string();
    e.ok(
        "PutDestinationPolicy",
        json!({"destinationName": "d1", "accessPolicy": policy, "forceUpdate": true}),
    )
    .await;
    let v = e
        .ok(
            "DescribeDestinations",
            json!({"DestinationNamePrefix": "d"}),
        )
        .await;
    assert_eq!(v["destinations"][0]["accessPolicy"], policy);
    assert_eq!(v["destinations"][0]["targetArn"], target);
    let (code, _) = e
        .err(
            "PutDestination",
            json!({"destinationName": "d2", "targetArn": "arn:aws:kinesis:us-east-1:123456789012:stream/x",
                   "roleArn": "arn:aws:iam::123456789012:role/r"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "PutDestinationPolicy",
            json!({"destinationName": "d1", "accessPolicy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    e.ok("DeleteDestination", json!({"destinationName": "d1"}))
        .await;
    let (code, _) = e
        .err("DeleteDestination", json!({"destinationName": "d1"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let v = e.ok("DescribeDestinations", json!({})).await;
    assert_eq!(v["destinations"], json!([]));
}

#[tokio::test]
async fn export_tasks_run_to_completion_and_finished_ones_cannot_be_cancelled() {
    let e = env();
    e.group_and_stream("/web", "i-1").await;
    e.put(
        "/web",
        "i-1",
        json!([{"timestamp": T0 - 1000, "message": "GET /"}]),
    )
    .await;
    let v = e
        .ok(
            "CreateExportTask",
            json!({"taskName": "t", "logGroupName": "/web", "from": 0, "to": T0, "destination": "my-bucket"}),
        )
        .await;
    let id = v["taskId"].as_str().unwrap().to_owned();
    let (code, _) = e
        .err(
            "CreateExportTask",
            json!({"logGroupName": "/web", "from": 0, "to": T0, "destination": "my-bucket"}),
        )
        .await;
    assert_eq!(code, "LimitExceededException");
    let v = e.ok("DescribeExportTasks", json!({"taskId": id})).await;
    assert_eq!(v["exportTasks"][0]["status"]["code"], "PENDING");
    assert_eq!(v["exportTasks"][0]["destinationPrefix"], "exportedlogs");
    assert_eq!(v["exportTasks"][0]["executionInfo"]["creationTime"], T0);
    e.clock.advance(Duration::from_secs(3));
    e.store.run_export_tasks().unwrap();
    let v = e
        .ok("DescribeExportTasks", json!({"statusCode": "COMPLETED"}))
        .await;
    assert_eq!(v["exportTasks"][0]["taskId"], id.as_str());
    assert_eq!(
        v["exportTasks"][0]["executionInfo"]["completionTime"],
        T0 + 3000
    );
    let file = e
        .dir
        .0
        .join("buckets/my-bucket/exportedlogs")
        .join(&id)
        .join("i-1/000000.gz");
    assert!(file.exists(), "{}", file.display());
    let (code, _) = e.err("CancelExportTask", json!({"taskId": id})).await;
    assert_eq!(code, "InvalidOperationException");
    let (code, _) = e.err("CancelExportTask", json!({"taskId": "nope"})).await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err(
            "CreateExportTask",
            json!({"logGroupName": "/web", "from": 0, "to": T0, "destination": "Bad_Bucket"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
}

/// The other account's aggregation group `central` and destination `central`, as `arn`.
fn other_destination(e: &Env) -> String {
    e.store
        .create_log_group(OTHER, REGION, "central", None, Default::default(), None)
        .unwrap();
    e.store
        .put_destination(
            OTHER,
            REGION,
            "central",
            &format!("arn:aws:logs:{REGION}:{OTHER}:log-group:central"),
            &format!("arn:aws:iam::{OTHER}:role/cwl"),
            Default::default(),
        )
        .unwrap()
        .arn
}

#[tokio::test]
async fn destination_policy_conditions_see_the_callers_request() {
    let e = env();
    let arn = other_destination(&e);
    e.group_and_stream("app", "s").await;
    let set = |condition: Value| {
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "logs:PutSubscriptionFilter", "Resource": arn,
            "Condition": condition}]});
        e.store
            .put_destination_policy(OTHER, REGION, "central", &policy.to_string(), false)
            .unwrap();
    };
    let put = json!({"logGroupName": "app", "filterName": "ship", "filterPattern": "",
                     "destinationArn": arn});
    // The caller's account, ARN, address and region as condition keys.
    for (condition, allowed) in [
        (
            json!({"StringEquals": {"aws:PrincipalAccount": OTHER}}),
            false,
        ),
        (
            json!({"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}),
            false,
        ),
        (
            json!({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
            false,
        ),
        (
            json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:PrincipalType": "Account"}}),
            false,
        ),
        (
            json!({
                "StringEquals": {"aws:PrincipalAccount": TEST_ACCOUNT, "aws:RequestedRegion": REGION},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
            }),
            true,
        ),
    ] {
        set(condition.clone());
        let (status, v) = e.call("PutSubscriptionFilter", put.clone()).await;
        if allowed {
            assert_eq!(status, 200, "{condition}: {v}");
        } else {
            assert_eq!(v["__type"], "AccessDeniedException", "{condition}: {v}");
        }
    }
    // A window on the request time (the server clock).
    set(json!({"DateGreaterThan": {"aws:CurrentTime": "2025-11-24T16:30:00Z"}}));
    e.ok(
        "DeleteSubscriptionFilter",
        json!({"logGroupName": "app", "filterName": "ship"}),
    )
    .await;
    let (code, _) = e.err("PutSubscriptionFilter", put.clone()).await;
    assert_eq!(code, "AccessDeniedException");
    e.clock.advance(Duration::from_secs(3600));
    e.ok("PutSubscriptionFilter", put).await;
}

#[tokio::test]
async fn destinations_are_tagged_and_deleting_one_disables_its_filters() {
    let e = env();
    e.ok("CreateLogGroup", json!({"logGroupName": "agg"})).await;
    e.group_and_stream("app", "s").await;
    let target = format!("arn:aws:logs:{REGION}:{TEST_ACCOUNT}:log-group:agg");
    let v = e
        .ok(
            "PutDestination",
            json!({"destinationName": "d", "targetArn": target,
                   "roleArn": "arn:aws:iam::123456789012:role/r", "tags": {"team": "ops"}}),
        )
        .await;
    let arn = v["destination"]["arn"].as_str().unwrap().to_owned();
    let tags = |v: &Value| v["tags"].clone();
    let v = e
        .ok("ListTagsForResource", json!({"resourceArn": arn}))
        .await;
    assert_eq!(tags(&v), json!({"team": "ops"}));
    e.ok(
        "TagResource",
        json!({"resourceArn": arn, "tags": {"env": "prod"}}),
    )
    .await;
    e.ok(
        "UntagResource",
        json!({"resourceArn": arn, "tagKeys": ["team"]}),
    )
    .await;
    let v = e
        .ok("ListTagsForResource", json!({"resourceArn": arn}))
        .await;
    assert_eq!(tags(&v), json!({"env": "prod"}));
    let (code, _) = e
        .err(
            "TagResource",
            json!({"resourceArn": arn, "tags": {"aws:reserved": "x"}}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    for other in [
        format!("arn:aws:logs:{REGION}:{OTHER}:destination:d"),
        format!("arn:aws:logs:eu-west-1:{TEST_ACCOUNT}:destination:d"),
        format!("arn:aws:logs:{REGION}:{TEST_ACCOUNT}:destination:nope"),
    ] {
        let (code, _) = e
            .err("ListTagsForResource", json!({"resourceArn": other}))
            .await;
        assert_eq!(code, "ResourceNotFoundException", "{other}");
    }
    // Log group tags still go through the same operations.
    e.ok(
        "TagResource",
        json!({"resourceArn": target, "tags": {"g": "1"}}),
    )
    .await;
    let v = e
        .ok("ListTagsForResource", json!({"resourceArn": target}))
        .await;
    assert_eq!(tags(&v), json!({"g": "1"}));
    // Deleting the destination disables the filter that publishes to it.
    e.ok(
        "PutSubscriptionFilter",
        json!({"logGroupName": "app", "filterName": "f", "filterPattern": "", "destinationArn": arn}),
    )
    .await;
    e.ok("DeleteDestination", json!({"destinationName": "d"}))
        .await;
    e.put(
        "app",
        "s",
        json!([{"timestamp": T0 - 1, "message": "late"}]),
    )
    .await;
    let report = e.store.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (1, 0));
    let v = e
        .ok(
            "DescribeSubscriptionFilters",
            json!({"logGroupName": "app"}),
        )
        .await;
    assert_eq!(v["subscriptionFilters"][0]["destinationArn"], arn.as_str());
    let (code, _) = e
        .err(
            "PutSubscriptionFilter",
            json!({"logGroupName": "app", "filterName": "f", "filterPattern": "",
                   "destinationArn": arn, "emitSystemFields": ["@aws.region"]}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
}
