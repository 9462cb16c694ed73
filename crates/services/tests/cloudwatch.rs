//! CloudWatch metrics through the real pipeline in all three protocols: JSON 1.0 (the aws CLI),
//! rpc-v2-cbor (the Rust and Go SDKs) and query (older SDKs), plus the validation error table.
#![allow(clippy::unwrap_used)]

use openwatch_wire::testing::TestClient;
use openwatch_wire::{Service, Value};
use serde_json::json;

mod cloudwatch_support;
use cloudwatch_support::{NOW, ok, s, st};

const NOW_S: i64 = NOW / 1000;

fn client() -> (TestClient, tempfile::TempDir) {
    cloudwatch_support::metrics_client(NOW)
}

#[tokio::test]
async fn json_put_list_and_statistics() {
    let (c, _dir) = client();
    ok(
        &c,
        "PutMetricData",
        json!({"Namespace": "MyApp", "MetricData": [
            {"MetricName": "Latency", "Value": 12.5, "Unit": "Milliseconds",
             "Dimensions": [{"Name": "Host", "Value": "a"}], "Timestamp": NOW_S - 120},
            {"MetricName": "Latency", "Values": [10.0, 20.0], "Counts": [3.0, 1.0],
             "Unit": "Milliseconds", "Dimensions": [{"Name": "Host", "Value": "a"}],
             "Timestamp": NOW_S - 60},
            {"MetricName": "Requests", "StatisticValues":
                {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4}}
        ]}),
    )
    .await;

    let body = ok(&c, "ListMetrics", json!({"Namespace": "MyApp"})).await;
    let metrics = body["Metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 2);
    assert_eq!(
        metrics[0],
        json!({"Namespace": "MyApp", "MetricName": "Latency",
               "Dimensions": [{"Name": "Host", "Value": "a"}]})
    );

    let body = ok(
        &c,
        "GetMetricStatistics",
        json!({"Namespace": "MyApp", "MetricName": "Latency",
                   "Dimensions": [{"Name": "Host", "Value": "a"}],
                   "StartTime": NOW_S - 600, "EndTime": NOW_S, "Period": 600,
                   "Statistics": ["SampleCount", "Sum", "Average", "Maximum"],
                   "ExtendedStatistics": ["p50", "p99"]}),
    )
    .await;
    assert_eq!(body["Label"], "Latency");
    let dp = &body["Datapoints"][0];
    assert_eq!(dp["SampleCount"], 5.0);
    assert_eq!(dp["Sum"], 62.5);
    assert_eq!(dp["Maximum"], 20.0);
    assert_eq!(dp["Unit"], "Milliseconds");
    assert_eq!(dp["ExtendedStatistics"], json!({"p50": 10.0, "p99": 20.0}));
    assert_eq!(dp["Timestamp"], json!(NOW_S - 600));
}

#[tokio::test]
async fn cbor_put_and_get_metric_data() {
    let (c, _dir) = client();
    let datum = |t: i64, v: f64| {
        st(vec![
            ("MetricName", s("CPU")),
            ("Value", Value::Float(v)),
            ("Timestamp", Value::Timestamp(t as f64)),
            (
                "Dimensions",
                Value::List(vec![st(vec![("Name", s("Id")), ("Value", s("i-1"))])]),
            ),
        ])
    };
    let body = st(vec![
        ("Namespace", s("EC2ish")),
        (
            "MetricData",
            Value::List(
                (0..5)
                    .map(|i| datum(NOW_S - 300 + i * 60, i as f64))
                    .collect(),
            ),
        ),
    ]);
    let resp = c.cbor(Service::CloudWatch, "PutMetricData", &body).await;
    assert_eq!(resp.status, 200, "{:?}", resp.cbor());
    let metric = st(vec![
        ("Namespace", s("EC2ish")),
        ("MetricName", s("CPU")),
        (
            "Dimensions",
            Value::List(vec![st(vec![("Name", s("Id")), ("Value", s("i-1"))])]),
        ),
    ]);
    let query = st(vec![
        ("Id", s("cpu")),
        ("Label", s("CPU of i-1")),
        (
            "MetricStat",
            st(vec![
                ("Metric", metric),
                ("Period", Value::Int(60)),
                ("Stat", s("Maximum")),
            ]),
        ),
    ]);
    let req = st(vec![
        ("MetricDataQueries", Value::List(vec![query])),
        ("StartTime", Value::Timestamp((NOW_S - 3600) as f64)),
        ("EndTime", Value::Timestamp(NOW_S as f64)),
        ("ScanBy", s("TimestampAscending")),
    ]);
    let resp = c.cbor(Service::CloudWatch, "GetMetricData", &req).await;
    assert_eq!(resp.status, 200);
    let out = resp.cbor().unwrap();
    let results = match out.get("MetricDataResults") {
        Some(Value::List(l)) => l.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(results[0].get("Label"), Some(&s("CPU of i-1")));
    assert_eq!(results[0].get("StatusCode"), Some(&s("Complete")));
    let values = results[0].get("Values").unwrap();
    assert_eq!(
        values,
        &Value::List((0..5).map(|i| Value::Float(i as f64)).collect())
    );
    match results[0].get("Timestamps") {
        Some(Value::List(ts)) => assert_eq!(ts[0], Value::Timestamp((NOW_S - 300) as f64)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn query_put_list_and_extended_statistics() {
    let (c, _dir) = client();
    let mut params: Vec<(String, String)> = vec![("Namespace".into(), "MyApp".into())];
    for i in 1..=10 {
        params.push((
            format!("MetricData.member.{i}.MetricName"),
            "Latency".into(),
        ));
        params.push((format!("MetricData.member.{i}.Value"), format!("{i}")));
        params.push((format!("MetricData.member.{i}.Unit"), "Seconds".into()));
        params.push((
            format!("MetricData.member.{i}.Timestamp"),
            "2026-01-01T00:30:00Z".into(),
        ));
        params.push((
            format!("MetricData.member.{i}.Dimensions.member.1.Name"),
            "Host".into(),
        ));
        params.push((
            format!("MetricData.member.{i}.Dimensions.member.1.Value"),
            "a".into(),
        ));
    }
    let refs: Vec<(&str, &str)> = params
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let resp = c.query(Service::CloudWatch, "PutMetricData", &refs).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        resp.text().contains("<PutMetricDataResponse"),
        "{}",
        resp.text()
    );

    let resp = c
        .query(
            Service::CloudWatch,
            "ListMetrics",
            &[("Dimensions.member.1.Name", "Host")],
        )
        .await;
    let text = resp.text();
    assert!(text.contains("<MetricName>Latency</MetricName>"), "{text}");
    assert!(text.contains("<Name>Host</Name>"), "{text}");

    let resp = c
        .query(
            Service::CloudWatch,
            "GetMetricStatistics",
            &[
                ("Namespace", "MyApp"),
                ("MetricName", "Latency"),
                ("Dimensions.member.1.Name", "Host"),
                ("Dimensions.member.1.Value", "a"),
                ("StartTime", "2026-01-01T00:00:00Z"),
                ("EndTime", "2026-01-01T01:00:00Z"),
                ("Period", "3600"),
                ("Statistics.member.1", "Average"),
                ("ExtendedStatistics.member.1", "p90"),
                ("ExtendedStatistics.member.2", "tm90"),
            ],
        )
        .await;
    let text = resp.text();
    assert_eq!(resp.status, 200, "{text}");
    assert!(text.contains("<Average>5.5</Average>"), "{text}");
    assert!(
        text.contains("<key>p90</key><value>9.0</value>")
            || text.contains("<key>p90</key><value>9</value>"),
        "{text}"
    );
    assert!(text.contains("<key>tm90</key>"), "{text}");
    assert!(text.contains("<Unit>Seconds</Unit>"), "{text}");
}

#[tokio::test]
async fn validation_errors_carry_aws_codes_and_messages() {
    let (c, _dir) = client();
    let now = NOW_S;
    let cases = [
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]}),
            "InvalidParameterCombination",
            "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1}, {"MetricName": "M", "Value": 2, "Values": [1]}]}),
            "InvalidParameterCombination",
            "The parameters MetricData.member.2.Value and MetricData.member.2.Values are mutually exclusive and you have specified both.",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Values": [1, 2], "Counts": [1]}]}),
            "InvalidParameterValue",
            "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1, "Unit": "Parsecs"}]}),
            "InvalidParameterValue",
            "The parameter MetricData.member.1.Unit must be a value in the set [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None].",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1, "Timestamp": now - 15 * 86400}]}),
            "InvalidParameterValue",
            "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M"}]}),
            "MissingParameter",
            "At least one of the parameters MetricData.member.1.Value or MetricData.member.1.StatisticValues must be specified.",
        ),
        (
            "PutMetricData",
            json!({"MetricData": [{"MetricName": "M", "Value": 1}]}),
            "MissingParameter",
            "The parameter Namespace is required.",
        ),
        (
            "PutMetricData",
            json!({"Namespace": "N", "MetricData": [{"MetricName": "M", "Value": 1, "StorageResolution": 10}]}),
            "InvalidParameterValue",
            "The value 10 for parameter MetricData.member.1.StorageResolution is invalid. Valid values are 1 and 60.",
        ),
        (
            "GetMetricStatistics",
            json!({"Namespace": "N", "MetricName": "M", "StartTime": now - 86400 * 2, "EndTime": now, "Period": 60, "Statistics": ["Sum"]}),
            "InvalidParameterCombination",
            "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
        ),
        (
            "GetMetricStatistics",
            json!({"Namespace": "N", "MetricName": "M", "StartTime": now - 3600, "EndTime": now, "Period": 7, "Statistics": ["Sum"]}),
            "InvalidParameterValue",
            "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.",
        ),
        (
            "GetMetricStatistics",
            json!({"Namespace": "N", "MetricName": "M", "StartTime": now - 3600, "EndTime": now, "Period": 60, "Statistics": ["Median"]}),
            "InvalidParameterValue",
            "The parameter Statistics.member.1 must be a value in the set [SampleCount, Average, Sum, Minimum, Maximum].",
        ),
        (
            "GetMetricStatistics",
            json!({"Namespace": "N", "MetricName": "M", "EndTime": now, "Period": 60, "Statistics": ["Sum"]}),
            "MissingParameter",
            "The parameter StartTime is required.",
        ),
        (
            "ListMetrics",
            json!({"RecentlyActive": "PT1H"}),
            "InvalidParameterValue",
            "The parameter RecentlyActive must be a value in the set [ PT3H ].",
        ),
    ];
    for (op, body, code, message) in cases {
        let resp = c.json(Service::CloudWatch, op, body.clone()).await;
        assert_eq!(resp.status, 400, "{op} {body}: {}", resp.text());
        let header = resp.header("x-amzn-query-error").unwrap_or_default();
        assert_eq!(header, format!("{code};Sender"), "{op} {body}");
        assert_eq!(resp.json()["message"], message, "{op} {body}");
    }
    // Nothing from any refused request was stored.
    let resp = c.json(Service::CloudWatch, "ListMetrics", json!({})).await;
    assert_eq!(resp.json()["Metrics"], json!([]));
}

#[tokio::test]
async fn json_get_metric_data_with_an_expression() {
    let (c, _dir) = client();
    ok(
        &c,
        "PutMetricData",
        json!({"Namespace": "Shop", "MetricData": [
            {"MetricName": "Errors", "Value": 2, "Timestamp": NOW_S - 120},
            {"MetricName": "Requests", "Value": 40, "Timestamp": NOW_S - 120},
            {"MetricName": "Errors", "Value": 3, "Timestamp": NOW_S - 60},
            {"MetricName": "Requests", "Value": 30, "Timestamp": NOW_S - 60}
        ]}),
    )
    .await;
    let stat = |id: &str, name: &str| {
        json!({"Id": id, "ReturnData": false, "MetricStat": {
            "Metric": {"Namespace": "Shop", "MetricName": name}, "Period": 60, "Stat": "Sum"}})
    };
    let body = ok(
        &c,
        "GetMetricData",
        json!({"MetricDataQueries": [
                    stat("errors", "Errors"), stat("requests", "Requests"),
                    {"Id": "rate", "Expression": "100 * errors / requests", "Label": "Error rate"}
                ],
                "StartTime": NOW_S - 600, "EndTime": NOW_S}),
    )
    .await;
    let results = body["MetricDataResults"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["Label"], "Error rate");
    assert_eq!(results[0]["Values"], json!([10.0, 5.0]));
    assert_eq!(results[0]["Timestamps"], json!([NOW_S - 60, NOW_S - 120]));

    let resp = c
        .json(
            Service::CloudWatch,
            "GetMetricData",
            json!({"MetricDataQueries": [{"Id": "bad", "Expression": "SUM(("}],
                   "StartTime": NOW_S - 600, "EndTime": NOW_S}),
        )
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.header("x-amzn-query-error"),
        Some("InvalidParameterValue;Sender")
    );
}

#[tokio::test]
async fn query_protocol_get_metric_data_with_metrics_insights() {
    let (c, _dir) = client();
    ok(
        &c,
        "PutMetricData",
        json!({"Namespace": "Fleet", "MetricData": [
            {"MetricName": "CPU", "Value": 10, "Timestamp": NOW_S - 60,
             "Dimensions": [{"Name": "Host", "Value": "a"}]},
            {"MetricName": "CPU", "Value": 90, "Timestamp": NOW_S - 60,
             "Dimensions": [{"Name": "Host", "Value": "b"}]}
        ]}),
    )
    .await;
    let start = "2026-01-01T00:50:00Z";
    let resp = c
        .query(
            Service::CloudWatch,
            "GetMetricData",
            &[
                ("MetricDataQueries.member.1.Id", "top"),
                (
                    "MetricDataQueries.member.1.Expression",
                    "SELECT AVG(CPU) FROM SCHEMA(Fleet, Host) GROUP BY Host ORDER BY AVG() DESC LIMIT 1",
                ),
                ("MetricDataQueries.member.1.Period", "60"),
                ("StartTime", start),
                ("EndTime", "2026-01-01T01:00:00Z"),
            ],
        )
        .await;
    let text = resp.text();
    assert_eq!(resp.status, 200, "{text}");
    assert!(text.contains("<Label>b</Label>"), "{text}");
    assert!(
        text.contains("<member>90.0</member>") || text.contains("<member>90</member>"),
        "{text}"
    );
    assert!(!text.contains("<Label>a</Label>"), "{text}");
}
