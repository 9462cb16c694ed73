//! GetMetricData dynamic labels, `LabelOptions.Timezone` and Metrics Insights `ORDER BY`
//! through the real pipeline: JSON 1.0 (the aws CLI), rpc-v2-cbor (the SDKs) and query.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_metrics::{Metrics, MetricsOptions, SimClock};
use openwatch_wire::testing::TestClient;
use openwatch_wire::{Registry, Service, Value};
use serde_json::json;

/// 2026-01-01T01:00:00Z.
const NOW: i64 = 1_767_229_200_000;
const NOW_S: i64 = NOW / 1000;
/// 2026-01-01T00:00:00Z.
const T0_S: i64 = NOW_S - 3600;

fn client() -> (TestClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SimClock::new(NOW));
    let metrics = Arc::new(Metrics::open(dir.path(), clock, MetricsOptions::default()).unwrap());
    let mut registry = Registry::new();
    openwatch_services::cloudwatch::register(&mut registry, metrics);
    (TestClient::new(registry, Arc::new(|| NOW)), dir)
}

/// Puts CPU for hosts a, b, c at minutes 0 and 1 after T0 (AVG per minute: a 10, 10;
/// b 15, 2; c 20, 1).
async fn put_hosts(c: &TestClient) {
    let mut data = Vec::new();
    for (host, points) in [
        ("a", vec![(0, 10.0), (60, 10.0)]),
        ("b", vec![(0, 0.0), (30, 30.0), (60, 2.0)]),
        ("c", vec![(0, 20.0), (60, 1.0)]),
    ] {
        for (t, v) in points {
            data.push(
                json!({"MetricName": "CPU", "Value": v, "Timestamp": T0_S + t,
                "Dimensions": [{"Name": "Host", "Value": host}]}),
            );
        }
    }
    let resp = c
        .json(
            Service::CloudWatch,
            "PutMetricData",
            json!({"Namespace": "Fleet", "MetricData": data}),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn json_dynamic_labels_with_timezone() {
    let (c, _dir) = client();
    put_hosts(&c).await;
    let resp = c
        .json(
            Service::CloudWatch,
            "GetMetricData",
            json!({
                "MetricDataQueries": [{
                    "Id": "a",
                    "MetricStat": {"Metric": {"Namespace": "Fleet", "MetricName": "CPU",
                        "Dimensions": [{"Name": "Host", "Value": "b"}]},
                        "Period": 60, "Stat": "Maximum"},
                    "Label": "${PROP('Dim.Host')} max ${MAX} at ${MAX_TIME}, last ${LAST} ${PROP('Stat')}"
                }, {
                    "Id": "s",
                    "Expression": "SEARCH('{Fleet,Host} CPU', 'Average', 60)",
                    "Label": "${LABEL}: avg ${AVG} over ${DATAPOINT_COUNT}"
                }],
                "StartTime": T0_S, "EndTime": NOW_S,
                "ScanBy": "TimestampAscending",
                "LabelOptions": {"Timezone": "+0130"}
            }),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    let labels: Vec<&str> = body["MetricDataResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec![
            "b max 30 at 2026-01-01T01:30:00+01:30, last 2 Maximum",
            "CPU a: avg 10 over 2",
            "CPU b: avg 8.5 over 2",
            "CPU c: avg 10.5 over 2",
        ]
    );
    assert_eq!(body["MetricDataResults"][0]["Values"], json!([30.0, 2.0]));
}

#[tokio::test]
async fn json_bad_timezone_is_invalid_parameter_value() {
    let (c, _dir) = client();
    for tz in ["0130", "+01:30", "+2400", "UTC"] {
        let resp = c
            .json(
                Service::CloudWatch,
                "GetMetricData",
                json!({
                    "MetricDataQueries": [{"Id": "q", "Expression": "SELECT AVG(CPU) FROM Fleet"}],
                    "StartTime": T0_S, "EndTime": NOW_S,
                    "LabelOptions": {"Timezone": tz}
                }),
            )
            .await;
        assert_eq!(resp.status, 400, "{}", resp.text());
        let body = resp.json();
        assert!(
            body["__type"]
                .as_str()
                .unwrap()
                .ends_with("InvalidParameterValueException"),
            "{body}"
        );
        assert_eq!(
            body["message"],
            format!(
                "The value {tz} for parameter LabelOptions.Timezone is invalid. The format is + or - followed by four digits (HHMM)."
            )
        );
    }
}

#[tokio::test]
async fn cbor_insights_order_by_another_function() {
    let (c, _dir) = client();
    put_hosts(&c).await;
    let s = |v: &str| Value::Str(v.into());
    let query = |id: &str, sql: &str, label: Option<&str>| {
        let mut m = vec![
            ("Id".to_owned(), s(id)),
            ("Expression".to_owned(), s(sql)),
            ("Period".to_owned(), Value::Int(60)),
        ];
        if let Some(l) = label {
            m.push(("Label".to_owned(), s(l)));
        }
        Value::Struct(m)
    };
    let call = |queries: Vec<Value>| {
        Value::Struct(vec![
            ("MetricDataQueries".into(), Value::List(queries)),
            ("StartTime".into(), Value::Timestamp(T0_S as f64)),
            ("EndTime".into(), Value::Timestamp(NOW_S as f64)),
            ("ScanBy".into(), s("TimestampAscending")),
        ])
    };
    let top = query(
        "top",
        "SELECT AVG(CPU) FROM SCHEMA(Fleet, Host) GROUP BY Host ORDER BY MAX() DESC LIMIT 2",
        None,
    );
    let low = query(
        "low",
        "SELECT AVG(CPU) FROM Fleet GROUP BY Host ORDER BY MIN() ASC",
        Some("${PROP('Dim.Host')} min ${MIN}"),
    );
    let labels = |resp: openwatch_wire::testing::TestResponse| -> Vec<(String, String)> {
        assert_eq!(resp.status, 200, "{:?}", resp.cbor());
        let out = resp.cbor().unwrap();
        let Some(Value::List(results)) = out.get("MetricDataResults") else {
            panic!("no results in {out:?}");
        };
        results
            .iter()
            .map(|r| {
                let field = |name: &str| match r.get(name) {
                    Some(Value::Str(v)) => v.clone(),
                    other => panic!("{name}: {other:?}"),
                };
                (field("Id"), field("Label"))
            })
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let got = labels(
        c.cbor(
            Service::CloudWatch,
            "GetMetricData",
            &call(vec![top.clone()]),
        )
        .await,
    );
    assert_eq!(got, pairs(&[("top", "c"), ("top", "b")]));
    let got = labels(
        c.cbor(
            Service::CloudWatch,
            "GetMetricData",
            &call(vec![low.clone()]),
        )
        .await,
    );
    assert_eq!(
        got,
        pairs(&[("low", "c min 1"), ("low", "b min 2"), ("low", "a min 10")])
    );
    // One Metrics Insights query per request.
    let resp = c
        .cbor(Service::CloudWatch, "GetMetricData", &call(vec![top, low]))
        .await;
    assert_eq!(resp.status, 400, "{:?}", resp.cbor());
    let err = resp.cbor().unwrap();
    assert_eq!(
        err.get("message"),
        Some(&s(
            "The value low for parameter MetricDataQueries.member.2.Expression is invalid. A GetMetricData request can include only one Metrics Insights query."
        ))
    );
}

#[tokio::test]
async fn query_protocol_label_options() {
    let (c, _dir) = client();
    put_hosts(&c).await;
    let resp = c
        .query(
            Service::CloudWatch,
            "GetMetricData",
            &[
                ("MetricDataQueries.member.1.Id", "q"),
                (
                    "MetricDataQueries.member.1.Expression",
                    "SELECT MAX(CPU) FROM Fleet",
                ),
                ("MetricDataQueries.member.1.Period", "60"),
                (
                    "MetricDataQueries.member.1.Label",
                    "peak ${MAX} first ${FIRST_TIME} span ${FIRST_LAST_TIME_RANGE}",
                ),
                ("StartTime", "2026-01-01T00:00:00Z"),
                ("EndTime", "2026-01-01T01:00:00Z"),
                ("LabelOptions.Timezone", "-0800"),
            ],
        )
        .await;
    let text = resp.text();
    assert_eq!(resp.status, 200, "{text}");
    assert!(
        text.contains("<Label>peak 30 first 2025-12-31T16:00:00-08:00 span 1m</Label>"),
        "{text}"
    );
}

#[tokio::test]
async fn json_expression_length_is_checked() {
    let (c, _dir) = client();
    let long = format!("m1{}", " + 1".repeat(512));
    for (expr, bound) in [
        (long.as_str(), "less than or equal to 2048"),
        ("", "greater than or equal to 1"),
    ] {
        let resp = c
            .json(
                Service::CloudWatch,
                "GetMetricData",
                json!({
                    "MetricDataQueries": [{"Id": "e1", "Expression": expr}],
                    "StartTime": T0_S, "EndTime": NOW_S
                }),
            )
            .await;
        assert_eq!(resp.status, 400, "{}", resp.text());
        let body = resp.json();
        assert!(
            body["__type"]
                .as_str()
                .unwrap()
                .ends_with("ValidationError"),
            "{body}"
        );
        assert_eq!(
            body["message"],
            format!(
                "1 validation error detected: Value '{expr}' at 'metricDataQueries.1.member.expression' failed to satisfy constraint: Member must have length {bound}"
            )
        );
    }
    // 2048 characters are accepted.
    let max = format!("m1{}", " ".repeat(2046));
    let resp = c
        .json(
            Service::CloudWatch,
            "GetMetricData",
            json!({
                "MetricDataQueries": [
                    {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "Fleet", "MetricName": "CPU"},
                        "Period": 60, "Stat": "Sum"}, "ReturnData": false},
                    {"Id": "e1", "Expression": max}
                ],
                "StartTime": T0_S, "EndTime": NOW_S
            }),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}
