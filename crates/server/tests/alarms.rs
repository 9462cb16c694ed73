//! Metric alarms end to end in process: PutMetricData through the pipeline on a simulated clock,
//! the server's evaluation job over the real metrics engine, the stored transition and history,
//! and the "CloudWatch Alarm State Change" event on the default bus.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_alarms::store::AlarmStore;
use openwatch_server::alarm_evaluation;
use openwatch_storage::Clock;
use openwatch_wire::Service;
use openwatch_wire::testing::TEST_ACCOUNT;
use serde_json::{Value, json};

mod common;

use common::{NOW_S, World, history_summaries, ok};

#[tokio::test]
async fn breaching_data_raises_the_alarm_and_publishes_the_event() {
    let w = World::open();
    let mut registry = w.alarm_registry();
    openwatch_services::events::register(&mut registry, Arc::clone(&w.events));
    let c = w.client(registry);
    let World {
        sim,
        clock,
        catalog,
        metrics,
        events,
        alarms,
        ..
    } = w;

    // A rule on the default bus sends alarm events to a second bus, whose queued delivery we read.
    let ev = Service::Events;
    let audit = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/audit");
    ok(&c, ev, "CreateEventBus", json!({"Name": "audit"})).await;
    ok(
        &c,
        ev,
        "PutRule",
        json!({"Name": "alarms", "EventPattern":
            r#"{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"]}"#}),
    )
    .await;
    ok(
        &c,
        ev,
        "PutTargets",
        json!({"Rule": "alarms", "Targets": [{"Id": "a", "Arn": audit}]}),
    )
    .await;

    let cw = Service::CloudWatch;
    ok(
        &c,
        cw,
        "PutMetricAlarm",
        json!({"AlarmName": "errors-high", "Namespace": "Shop", "MetricName": "Errors",
               "Dimensions": [{"Name": "Service", "Value": "checkout"}],
               "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 3, "Threshold": 5,
               "ComparisonOperator": "GreaterThanThreshold",
               "AlarmDescription": "checkout errors"}),
    )
    .await;

    // Nothing yet: the first evaluation finds no data and stays INSUFFICIENT_DATA.
    sim.advance(Duration::from_secs(10));
    assert_eq!(
        alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
        0
    );

    // Three breaching minutes.
    for minute in 0..3 {
        ok(
            &c,
            cw,
            "PutMetricData",
            json!({"Namespace": "Shop", "MetricData": [
                {"MetricName": "Errors", "Value": 4, "Timestamp": NOW_S + minute * 60 + 5,
                 "Dimensions": [{"Name": "Service", "Value": "checkout"}]},
                {"MetricName": "Errors", "Value": 4, "Timestamp": NOW_S + minute * 60 + 35,
                 "Dimensions": [{"Name": "Service", "Value": "checkout"}]}]}),
        )
        .await;
        sim.advance(Duration::from_secs(60));
        // Before the third period closes, the alarm cannot decide yet.
        if minute < 2 {
            assert_eq!(
                alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
                0,
                "minute {minute}"
            );
        }
    }
    // Now at NOW + 190 s: the periods starting at NOW, NOW+60, NOW+120 are complete.
    let changed = alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis());
    assert_eq!(changed, 1);

    let d = ok(
        &c,
        cw,
        "DescribeAlarms",
        json!({"AlarmNames": ["errors-high"]}),
    )
    .await;
    let a = &d["MetricAlarms"][0];
    assert_eq!(a["StateValue"], "ALARM", "{a}");
    assert_eq!(
        a["StateReason"],
        "Threshold Crossed: 3 datapoints [8.0 (29/11/25 07:08:00), 8.0 (29/11/25 07:07:00), 8.0 (29/11/25 07:06:00)] were greater than the threshold (5.0).",
        "{a}"
    );
    let reason_data: Value = serde_json::from_str(a["StateReasonData"].as_str().unwrap()).unwrap();
    assert_eq!(reason_data["statistic"], "Sum");
    assert_eq!(reason_data["threshold"], 5.0);

    assert_eq!(
        history_summaries(&c, "errors-high", "StateUpdate").await,
        ["Alarm updated from INSUFFICIENT_DATA to ALARM"]
    );

    let pending = events.pending_deliveries();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let event: Value = serde_json::from_str(&pending[0].payload).unwrap();
    assert_eq!(event["source"], "aws.cloudwatch");
    assert_eq!(event["detail-type"], "CloudWatch Alarm State Change");
    assert_eq!(
        event["resources"],
        json!([format!(
            "arn:aws:cloudwatch:us-east-1:{TEST_ACCOUNT}:alarm:errors-high"
        )])
    );
    let detail = &event["detail"];
    assert_eq!(detail["alarmName"], "errors-high");
    assert_eq!(detail["state"]["value"], "ALARM");
    assert_eq!(detail["state"]["reason"], a["StateReason"]);
    assert_eq!(detail["previousState"]["value"], "INSUFFICIENT_DATA");
    assert_eq!(detail["configuration"]["description"], "checkout errors");
    assert_eq!(
        detail["configuration"]["metrics"][0]["metricStat"],
        json!({"metric": {"namespace": "Shop", "name": "Errors",
                          "dimensions": {"Service": "checkout"}},
               "period": 60, "stat": "Sum"})
    );

    // The transition survives a reopen of the store.
    drop(c);
    let reopened = AlarmStore::open(Arc::clone(&catalog), Arc::clone(&clock)).unwrap();
    let stored = reopened
        .alarm(TEST_ACCOUNT, "us-east-1", "errors-high")
        .unwrap();
    assert_eq!(stored.state_value, "ALARM");
}

/// Percentile alarms read sample counts: with `EvaluateLowSampleCountPercentile = ignore` a
/// period with too few samples (< 1000 for p99) keeps the state; with `evaluate` it decides.
#[tokio::test]
async fn low_sample_percentiles() {
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
    for (name, mode) in [("p99-ignore", "ignore"), ("p99-evaluate", "evaluate")] {
        ok(
            &c,
            cw,
            "PutMetricAlarm",
            json!({"AlarmName": name, "Namespace": "Shop", "MetricName": "Latency",
                   "ExtendedStatistic": "p99", "Period": 60, "EvaluationPeriods": 1,
                   "Threshold": 100, "ComparisonOperator": "GreaterThanThreshold",
                   "EvaluateLowSampleCountPercentile": mode}),
        )
        .await;
    }
    ok(
        &c,
        cw,
        "PutMetricData",
        json!({"Namespace": "Shop", "MetricData": [
            {"MetricName": "Latency", "Values": [500.0, 600.0], "Timestamp": NOW_S + 5}]}),
    )
    .await;
    sim.advance(Duration::from_secs(70));
    let changed = alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis());
    assert_eq!(changed, 1);
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    let states: Vec<(&str, &str)> = d["MetricAlarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["AlarmName"].as_str().unwrap(),
                a["StateValue"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ("p99-evaluate", "ALARM"),
            ("p99-ignore", "INSUFFICIENT_DATA")
        ]
    );
}

/// A metric-math alarm (`Metrics` with an expression) evaluates through GetMetricData.
#[tokio::test]
async fn metric_math_alarm() {
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
    let stat = |id: &str, name: &str| {
        json!({"Id": id, "ReturnData": false, "MetricStat": {
            "Metric": {"Namespace": "Shop", "MetricName": name}, "Period": 60, "Stat": "Sum"}})
    };
    ok(
        &c,
        cw,
        "PutMetricAlarm",
        json!({"AlarmName": "error-rate", "EvaluationPeriods": 2, "Threshold": 5,
               "ComparisonOperator": "GreaterThanThreshold",
               "Metrics": [stat("e", "Errors"), stat("r", "Requests"),
                           {"Id": "rate", "Expression": "100 * e / r", "Label": "Error rate"}]}),
    )
    .await;
    for minute in 0..2 {
        ok(
            &c,
            cw,
            "PutMetricData",
            json!({"Namespace": "Shop", "MetricData": [
                {"MetricName": "Errors", "Value": 10, "Timestamp": NOW_S + minute * 60 + 5},
                {"MetricName": "Requests", "Value": 100, "Timestamp": NOW_S + minute * 60 + 5}]}),
        )
        .await;
    }
    sim.advance(Duration::from_secs(130));
    assert_eq!(
        alarm_evaluation::run(&alarms, &metrics, &events, sim.now_millis()),
        1
    );
    let d = ok(&c, cw, "DescribeAlarms", json!({})).await;
    let a = &d["MetricAlarms"][0];
    assert_eq!(a["StateValue"], "ALARM", "{a}");
    assert!(
        a["StateReason"]
            .as_str()
            .unwrap()
            .starts_with("Threshold Crossed: 2 datapoints [10.0 ("),
        "{a}"
    );
    assert!(a.get("MetricName").is_none(), "{a}");
    assert_eq!(a["Metrics"][2]["Expression"], "100 * e / r");
    assert_eq!(a["Metrics"][2]["ReturnData"], true);
    assert_eq!(
        a["Metrics"][0]["MetricStat"]["Metric"]["MetricName"],
        "Errors"
    );
}
