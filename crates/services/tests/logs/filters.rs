//! Metric filters and TestMetricFilter.

use super::*;

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
