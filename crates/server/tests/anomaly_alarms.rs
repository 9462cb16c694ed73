//! Anomaly-detection alarms end to end in process: two days of history through PutMetricData,
//! an alarm whose ThresholdMetricId names ANOMALY_DETECTION_BAND, evaluated by the server's job
//! over the real metrics engine on a simulated clock: a normal value keeps it OK, a spike raises
//! it. Also PutMetricAlarm's rules for ThresholdMetricId.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use openwatch_server::alarm_evaluation;
use openwatch_storage::Clock;
use openwatch_wire::Service;
use serde_json::json;

mod common;

use common::{NOW_S, World, ok};

/// The metric's daily pattern (no noise).
fn pattern(t_s: i64) -> f64 {
    100.0 + 30.0 * (std::f64::consts::TAU * (t_s.rem_euclid(86_400) as f64) / 86_400.0).sin()
}

fn metrics_list() -> serde_json::Value {
    json!([
        {"Id": "m1", "ReturnData": true, "MetricStat": {
            "Metric": {"Namespace": "Shop", "MetricName": "Orders"}, "Period": 300,
            "Stat": "Average"}},
        {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)",
         "Label": "Orders (expected)", "ReturnData": true}
    ])
}

#[tokio::test]
async fn a_spike_outside_the_band_raises_the_alarm() {
    let w = World::open();
    let c = w.client(w.alarm_registry());
    let World {
        sim,
        metrics,
        events,
        alarms,
        ..
    } = w;
    let cw = Service::CloudWatch;

    // Two days of history every five minutes, with a deterministic wobble of up to ±3.
    let b = NOW_S.div_euclid(300) * 300;
    let history: Vec<i64> = (0..576).map(|i| b - 2 * 86_400 + i * 300).collect();
    for chunk in history.chunks(500) {
        let data: Vec<serde_json::Value> = chunk
            .iter()
            .map(|t| {
                let wobble = ((t / 300 * 7919) % 13 - 6) as f64 * 0.5;
                json!({"MetricName": "Orders", "Value": pattern(*t) + wobble, "Timestamp": t})
            })
            .collect();
        ok(
            &c,
            cw,
            "PutMetricData",
            json!({"Namespace": "Shop", "MetricData": data}),
        )
        .await;
    }
    ok(
        &c,
        cw,
        "PutAnomalyDetector",
        json!({"SingleMetricAnomalyDetector": {"Namespace": "Shop", "MetricName": "Orders",
            "Stat": "Average"}}),
    )
    .await;

    // PutMetricAlarm's rules for ThresholdMetricId.
    let base = json!({"AlarmName": "orders-anomaly", "EvaluationPeriods": 1,
        "ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold",
        "ThresholdMetricId": "ad1", "Metrics": metrics_list()});
    let refused = [
        ("Threshold", json!(5), "InvalidParameterCombination"),
        (
            "ComparisonOperator",
            json!("GreaterThanThreshold"),
            "InvalidParameterCombination",
        ),
        ("ThresholdMetricId", json!("m1"), "InvalidParameterValue"),
        // Without it, the band is a second query returning data.
        (
            "ThresholdMetricId",
            serde_json::Value::Null,
            "InvalidParameterValue",
        ),
    ];
    for (field, value, code) in refused {
        let mut body = base.clone();
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        let r = c.json(cw, "PutMetricAlarm", body).await;
        assert_eq!(r.status, 400, "{field}: {}", r.text());
        assert_eq!(
            r.header("x-amzn-query-error").unwrap_or_default(),
            format!("{code};Sender"),
            "{field}: {}",
            r.text()
        );
    }
    ok(&c, cw, "PutMetricAlarm", base).await;
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    let a = &d["MetricAlarms"][0];
    assert_eq!(a["ThresholdMetricId"], "ad1", "{a}");
    assert!(a.get("Threshold").is_none(), "{a}");

    // A normal value in the period starting at b: inside the band, OK.
    let normal = json!({"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": pattern(b), "Timestamp": b + 10}]});
    ok(&c, cw, "PutMetricData", normal).await;
    sim.advance(Duration::from_secs((b + 310 - NOW_S) as u64));
    assert_eq!(
        alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
        1
    );
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    assert_eq!(d["MetricAlarms"][0]["StateValue"], "OK", "{d}");

    // A spike in the next period: outside the band, ALARM.
    let spike = json!({"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": 1000.0, "Timestamp": b + 310}]});
    ok(&c, cw, "PutMetricData", spike).await;
    sim.advance(Duration::from_secs(300));
    assert_eq!(
        alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
        1
    );
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    let a = &d["MetricAlarms"][0];
    assert_eq!(a["StateValue"], "ALARM", "{a}");
    let reason = a["StateReason"].as_str().unwrap();
    assert!(
        reason.contains("greater than the upper thresholds ["),
        "{reason}"
    );
    let data: serde_json::Value =
        serde_json::from_str(a["StateReasonData"].as_str().unwrap()).unwrap();
    let upper = data["recentUpperThresholds"][0].as_f64().unwrap();
    assert!(upper < 1000.0 && upper > pattern(b + 300), "{data}");

    // The detector reports its model as trained.
    let d = ok(&c, cw, "DescribeAnomalyDetectors", json!({})).await;
    assert_eq!(d["AnomalyDetectors"][0]["StateValue"], "TRAINED", "{d}");

    // Back to normal: OK again.
    let back = json!({"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": pattern(b + 600), "Timestamp": b + 610}]});
    ok(&c, cw, "PutMetricData", back).await;
    sim.advance(Duration::from_secs(300));
    assert_eq!(
        alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
        1
    );
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    assert_eq!(d["MetricAlarms"][0]["StateValue"], "OK", "{d}");
}
