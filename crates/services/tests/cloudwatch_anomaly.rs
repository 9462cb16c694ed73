//! Anomaly detectors through the real pipeline in all three CloudWatch protocols:
//! PutAnomalyDetector (single metric, legacy fields, metric math), DescribeAnomalyDetectors
//! (filters, types, pages, training state), DeleteAnomalyDetector, the errors, and
//! ANOMALY_DETECTION_BAND in GetMetricData.
#![allow(clippy::unwrap_used)]

use openwatch_wire::testing::TestClient;
use openwatch_wire::{Service, Value};
use serde_json::json;

/// 2026-01-03T00:00:00Z.
const NOW: i64 = 1_767_398_400_000;
const NOW_S: i64 = NOW / 1000;

mod cloudwatch_support;
use cloudwatch_support::{err, ok};

fn client() -> (TestClient, tempfile::TempDir) {
    cloudwatch_support::metrics_client(NOW)
}

fn single(stat: &str) -> serde_json::Value {
    json!({"SingleMetricAnomalyDetector": {"Namespace": "App", "MetricName": "Requests",
        "Dimensions": [{"Name": "Host", "Value": "a"}], "Stat": stat}})
}

#[tokio::test]
async fn json_put_describe_delete() {
    let (c, _dir) = client();
    let mut body = single("Average");
    body["Configuration"] = json!({"ExcludedTimeRanges": [
        {"StartTime": NOW_S - 86_400, "EndTime": NOW_S - 3_600}], "MetricTimezone": "UTC"});
    body["MetricCharacteristics"] = json!({"PeriodicSpikes": true});
    let id = ok(&c, "PutAnomalyDetector", body).await["AnomalyDetectorId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The legacy top-level fields name another detector (another statistic).
    let legacy = json!({"Namespace": "App", "MetricName": "Requests",
        "Dimensions": [{"Name": "Host", "Value": "a"}], "Stat": "p90"});
    let legacy_id = ok(&c, "PutAnomalyDetector", legacy.clone()).await["AnomalyDetectorId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, legacy_id);
    let math = json!({"MetricMathAnomalyDetector": {"MetricDataQueries": [
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Requests"},
            "Period": 300, "Stat": "Sum"}, "ReturnData": false},
        {"Id": "e1", "Expression": "m1 / 300", "ReturnData": true}]}});
    ok(&c, "PutAnomalyDetector", math).await;

    let body = ok(&c, "DescribeAnomalyDetectors", json!({})).await;
    let list = body["AnomalyDetectors"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{body}");
    assert_eq!(
        list[0],
        json!({
            "AnomalyDetectorId": id,
            "Namespace": "App", "MetricName": "Requests",
            "Dimensions": [{"Name": "Host", "Value": "a"}], "Stat": "Average",
            "Configuration": {"ExcludedTimeRanges": [
                {"StartTime": NOW_S - 86_400, "EndTime": NOW_S - 3_600}],
                "MetricTimezone": "UTC"},
            "StateValue": "PENDING_TRAINING",
            "MetricCharacteristics": {"PeriodicSpikes": true},
            "SingleMetricAnomalyDetector": {"AccountId": "123456789012", "Namespace": "App",
                "MetricName": "Requests", "Dimensions": [{"Name": "Host", "Value": "a"}],
                "Stat": "Average"}
        })
    );
    let body = json!({"AnomalyDetectorTypes": ["METRIC_MATH"]});
    let body = ok(&c, "DescribeAnomalyDetectors", body).await;
    let math = &body["AnomalyDetectors"][0]["MetricMathAnomalyDetector"]["MetricDataQueries"];
    assert_eq!(
        math[1],
        json!({"Id": "e1", "Expression": "m1 / 300", "ReturnData": true})
    );
    assert_eq!(math[0]["MetricStat"]["Period"], 300);
    // Pages of one.
    let types = json!(["SINGLE_METRIC", "METRIC_MATH"]);
    let body = json!({"MaxResults": 1, "AnomalyDetectorTypes": types});
    let body = ok(&c, "DescribeAnomalyDetectors", body).await;
    assert_eq!(body["AnomalyDetectors"].as_array().unwrap().len(), 1);
    let token = body["NextToken"].as_str().unwrap().to_owned();
    let body = json!({"MaxResults": 2, "NextToken": token, "AnomalyDetectorTypes": types});
    let body = ok(&c, "DescribeAnomalyDetectors", body).await;
    assert_eq!(body["AnomalyDetectors"].as_array().unwrap().len(), 2);
    assert!(body.get("NextToken").is_none(), "{body}");

    // Delete by id, by the legacy fields; then a second delete is ResourceNotFound.
    ok(
        &c,
        "DeleteAnomalyDetector",
        json!({"AnomalyDetectorId": id}),
    )
    .await;
    ok(&c, "DeleteAnomalyDetector", legacy).await;
    let (status, e) = err(
        &c,
        "DeleteAnomalyDetector",
        json!({"AnomalyDetectorId": id}),
    )
    .await;
    assert_eq!(status, 404, "{e}");
    assert_eq!(e["__type"], "ResourceNotFoundException");
    let body = ok(&c, "DescribeAnomalyDetectors", json!({})).await;
    assert_eq!(body["AnomalyDetectors"], json!([]));
}

#[tokio::test]
async fn query_and_cbor_protocols() {
    let (c, _dir) = client();
    let resp = c
        .query(
            Service::CloudWatch,
            "PutAnomalyDetector",
            &[
                ("SingleMetricAnomalyDetector.Namespace", "App"),
                ("SingleMetricAnomalyDetector.MetricName", "Requests"),
                ("SingleMetricAnomalyDetector.Stat", "Sum"),
                (
                    "Configuration.ExcludedTimeRanges.member.1.StartTime",
                    "2026-01-01T00:00:00Z",
                ),
                (
                    "Configuration.ExcludedTimeRanges.member.1.EndTime",
                    "2026-01-01T06:00:00Z",
                ),
            ],
        )
        .await;
    let text = resp.text();
    assert_eq!(resp.status, 200, "{text}");
    assert!(
        text.contains("<PutAnomalyDetectorResult><AnomalyDetectorId>"),
        "{text}"
    );
    let resp = c
        .query(
            Service::CloudWatch,
            "DescribeAnomalyDetectors",
            &[("Namespace", "App")],
        )
        .await;
    let text = resp.text();
    assert!(
        text.contains("<StateValue>PENDING_TRAINING</StateValue>"),
        "{text}"
    );
    assert!(text.contains("<StartTime>2026-01-01T00:00:00"), "{text}");
    let body = Value::Struct(
        [(
            "AnomalyDetectorTypes".to_owned(),
            Value::List(vec![Value::Str("SINGLE_METRIC".into())]),
        )]
        .into_iter()
        .collect(),
    );
    let resp = c
        .cbor(Service::CloudWatch, "DescribeAnomalyDetectors", &body)
        .await;
    assert_eq!(resp.status, 200);
    let out = format!("{:?}", resp.cbor());
    assert!(out.contains("\"Sum\""), "{out}");
    let resp = c
        .query(
            Service::CloudWatch,
            "DeleteAnomalyDetector",
            &[("AnomalyDetectorId", "nope")],
        )
        .await;
    assert_eq!(resp.status, 404, "{}", resp.text());
    assert!(
        resp.text()
            .contains("<Code>ResourceNotFoundException</Code>"),
        "{}",
        resp.text()
    );
}

#[tokio::test]
async fn validation_errors_store_nothing() {
    let (c, _dir) = client();
    let mut both = single("Average");
    both["Namespace"] = json!("App");
    let mut bad_tz = single("Average");
    bad_tz["Configuration"] = json!({"MetricTimezone": "Nowhere/Atlantis"});
    let mut eleven = single("Average");
    eleven["Configuration"] = json!({"ExcludedTimeRanges": (0..11)
        .map(|i| json!({"StartTime": NOW_S - 100_000 + i * 1000, "EndTime": NOW_S - 99_500 + i * 1000}))
        .collect::<Vec<_>>()});
    let mut backwards = single("Average");
    backwards["Configuration"] =
        json!({"ExcludedTimeRanges": [{"StartTime": NOW_S, "EndTime": NOW_S - 60}]});
    let cases = [
        ("PutAnomalyDetector", both, "InvalidParameterCombination"),
        (
            "PutAnomalyDetector",
            single("Median"),
            "InvalidParameterValue",
        ),
        ("PutAnomalyDetector", bad_tz, "InvalidParameterValue"),
        ("PutAnomalyDetector", eleven, "InvalidParameterValue"),
        ("PutAnomalyDetector", backwards, "InvalidParameterValue"),
        (
            "PutAnomalyDetector",
            json!({"SingleMetricAnomalyDetector": {"Namespace": "App", "Stat": "Sum"}}),
            "MissingParameter",
        ),
        ("PutAnomalyDetector", json!({}), "MissingParameter"),
        (
            "PutAnomalyDetector",
            json!({"MetricMathAnomalyDetector": {"MetricDataQueries": [
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "A", "MetricName": "B"},
                    "Period": 60, "Stat": "Sum"}, "ReturnData": true},
                {"Id": "e1", "Expression": "m1 * 2", "ReturnData": true}]}}),
            "InvalidParameterValue",
        ),
        (
            "DescribeAnomalyDetectors",
            json!({"AnomalyDetectorIds": ["x"], "Namespace": "App"}),
            "InvalidParameterCombination",
        ),
        (
            "DescribeAnomalyDetectors",
            json!({"AnomalyDetectorTypes": ["BOTH"]}),
            "InvalidParameterValue",
        ),
        (
            "DescribeAnomalyDetectors",
            json!({"MaxResults": 101}),
            "InvalidParameterValue",
        ),
        (
            "DescribeAnomalyDetectors",
            json!({"NextToken": "garbage"}),
            "InvalidNextToken",
        ),
        ("DeleteAnomalyDetector", json!({}), "MissingParameter"),
    ];
    for (op, body, code) in cases {
        let resp = c.json(Service::CloudWatch, op, body.clone()).await;
        assert_eq!(resp.status, 400, "{op} {body}: {}", resp.text());
        assert_eq!(
            resp.header("x-amzn-query-error").unwrap_or_default(),
            format!("{code};Sender"),
            "{op} {body}: {}",
            resp.text()
        );
    }
    let resp = c
        .json(
            Service::CloudWatch,
            "DescribeAnomalyDetectors",
            json!({"AnomalyDetectorTypes": ["SINGLE_METRIC", "METRIC_MATH"]}),
        )
        .await;
    assert_eq!(resp.json()["AnomalyDetectors"], json!([]));
}

#[tokio::test]
async fn get_metric_data_returns_the_band() {
    let (c, _dir) = client();
    // Two days of a flat 10 every five minutes, then the band of the last hour.
    for chunk in (0..576).collect::<Vec<i64>>().chunks(500) {
        let data: Vec<serde_json::Value> = chunk
            .iter()
            .map(|i| {
                json!({"MetricName": "Requests", "Value": 10.0 + (i % 2) as f64,
                "Timestamp": NOW_S - 2 * 86_400 + i * 300})
            })
            .collect();
        let resp = c
            .json(
                Service::CloudWatch,
                "PutMetricData",
                json!({"Namespace": "App", "MetricData": data}),
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text());
    }
    let body = ok(&c, "GetMetricData", json!({"StartTime": NOW_S - 3600, "EndTime": NOW_S, "ScanBy": "TimestampAscending",
                "MetricDataQueries": [
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Requests"},
                    "Period": 300, "Stat": "Average"}},
                {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]})).await;
    let results = body["MetricDataResults"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{body}");
    assert_eq!(results[1]["Label"], "ad1 Lower");
    assert_eq!(results[2]["Label"], "ad1 Upper");
    let (lo, hi) = (
        results[1]["Values"][0].as_f64().unwrap(),
        results[2]["Values"][0].as_f64().unwrap(),
    );
    assert!(
        lo < 10.5 && hi > 10.5 && lo > 5.0 && hi < 16.0,
        "{lo}..{hi}"
    );
    assert_eq!(results[1]["Values"].as_array().unwrap().len(), 12);
}
