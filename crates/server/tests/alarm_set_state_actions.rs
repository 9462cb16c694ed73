//! Alarm actions outside the evaluation job, in process on a simulated clock: SetAlarmState runs
//! the new state's actions (an SNS topic publish, recorded as an `Action` history item) through
//! the server's `SnsAlarmActions`, and a composite alarm's `ActionsSuppressor` wait and
//! extension periods hold its actions back until `alarm_link::release_suppressed` runs them.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_server::alarm_link::{self, SnsAlarmActions};
use openwatch_sns::{Sns, SnsOptions};
use openwatch_storage::Clock;
use openwatch_wire::testing::TestClient;
use openwatch_wire::{Registry, Service};
use serde_json::{Value, json};

mod common;

use common::{World, ok};

struct Setup {
    w: World,
    sns: Arc<Sns>,
    c: TestClient,
    topic: String,
}

fn setup() -> Setup {
    let w = World::open();
    let sns = w.sns(SnsOptions::default());
    w.alarms.set_actions(Arc::new(SnsAlarmActions {
        sns: Arc::clone(&sns),
    }));
    let mut registry = Registry::new();
    openwatch_services::cloudwatch::alarms::register(
        &mut registry,
        Arc::clone(&w.alarms),
        Arc::clone(&w.events),
    );
    let c = w.client(registry);
    let topic = common::topic(&sns, "ops");
    Setup { w, sns, c, topic }
}

fn alarm(name: &str, actions: &[&str]) -> Value {
    json!({"AlarmName": name, "Namespace": "App", "MetricName": "Cpu", "Statistic": "Sum",
           "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
           "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": actions})
}

/// The alarm's `Action` history items, oldest first, as (summary, data).
async fn actions(c: &TestClient, name: &str, kind: &str) -> Vec<(String, Value)> {
    let h = ok(
        c,
        Service::CloudWatch,
        "DescribeAlarmHistory",
        json!({"AlarmName": name, "HistoryItemType": "Action",
               "AlarmTypes": [kind], "ScanBy": "TimestampAscending"}),
    )
    .await;
    h["AlarmHistoryItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["HistorySummary"].as_str().unwrap().to_owned(),
                serde_json::from_str(i["HistoryData"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn set_alarm_state_runs_the_new_states_actions() {
    let Setup {
        w,
        sns: _sns,
        c,
        topic,
    } = setup();
    let cw = Service::CloudWatch;
    let other = "arn:aws:automate:us-east-1:ec2:stop";
    ok(&c, cw, "PutMetricAlarm", alarm("cpu", &[&topic, other])).await;
    ok(&c, cw, "PutMetricAlarm", alarm("muted", &[&topic])).await;
    ok(
        &c,
        cw,
        "DisableAlarmActions",
        json!({"AlarmNames": ["muted"]}),
    )
    .await;

    ok(
        &c,
        cw,
        "SetAlarmState",
        json!({"AlarmName": "cpu", "StateValue": "ALARM", "StateReason": "drill"}),
    )
    .await;
    let items = actions(&c, "cpu", "MetricAlarm").await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].0, format!("Successfully executed action {topic}"));
    assert_eq!(items[0].1["actionState"], "Succeeded");
    let message: Value =
        serde_json::from_str(items[0].1["publishedMessage"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(message["NewStateValue"], "ALARM");
    assert_eq!(message["NewStateReason"], "drill");
    assert_eq!(message["OldStateValue"], "INSUFFICIENT_DATA");
    assert_eq!(items[1].0, format!("Failed to execute action {other}"));

    // No transition (same state), no actions; disabled actions never run.
    ok(
        &c,
        cw,
        "SetAlarmState",
        json!({"AlarmName": "cpu", "StateValue": "ALARM", "StateReason": "again"}),
    )
    .await;
    assert_eq!(actions(&c, "cpu", "MetricAlarm").await.len(), 2);
    ok(
        &c,
        cw,
        "SetAlarmState",
        json!({"AlarmName": "muted", "StateValue": "ALARM", "StateReason": "drill"}),
    )
    .await;
    assert!(actions(&c, "muted", "MetricAlarm").await.is_empty());
    drop(w);
}

async fn composite_setup(c: &TestClient, topic: &str) {
    let cw = Service::CloudWatch;
    ok(c, cw, "PutMetricAlarm", alarm("child", &[])).await;
    ok(c, cw, "PutMetricAlarm", alarm("maintenance", &[])).await;
    ok(
        c,
        cw,
        "PutCompositeAlarm",
        json!({"AlarmName": "service", "AlarmRule": "ALARM(child)", "AlarmActions": [topic],
               "ActionsSuppressor": "maintenance", "ActionsSuppressorWaitPeriod": 120,
               "ActionsSuppressorExtensionPeriod": 180}),
    )
    .await;
}

async fn suppressed_by(c: &TestClient) -> Value {
    let d = ok(
        c,
        Service::CloudWatch,
        "DescribeAlarms",
        json!({"AlarmNames": ["service"], "AlarmTypes": ["CompositeAlarm"]}),
    )
    .await;
    d["CompositeAlarms"][0]
        .get("ActionsSuppressedBy")
        .cloned()
        .unwrap_or(Value::Null)
}

/// SetAlarmState with reason `test`.
async fn set_state(c: &TestClient, name: &str, state: &str) {
    ok(
        c,
        Service::CloudWatch,
        "SetAlarmState",
        json!({"AlarmName": name, "StateValue": state, "StateReason": "test"}),
    )
    .await;
}

#[tokio::test]
async fn wait_period_holds_composite_actions_back_then_runs_them() {
    let Setup { w, sns, c, topic } = setup();
    composite_setup(&c, &topic).await;
    set_state(&c, "child", "ALARM").await;
    // The composite went into ALARM; its actions wait up to 120 s for the suppressor.
    assert!(actions(&c, "service", "CompositeAlarm").await.is_empty());
    assert_eq!(suppressed_by(&c).await, "WaitPeriod");
    w.sim.advance(Duration::from_secs(119));
    let released = alarm_link::release_suppressed(&w.alarms, &sns, &w.events, w.sim.now_millis());
    assert_eq!(released, 0);
    assert!(actions(&c, "service", "CompositeAlarm").await.is_empty());
    w.sim.advance(Duration::from_secs(1));
    let released = alarm_link::release_suppressed(&w.alarms, &sns, &w.events, w.sim.now_millis());
    assert_eq!(released, 1);
    let items = actions(&c, "service", "CompositeAlarm").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].1["actionState"], "Succeeded");
    assert_eq!(suppressed_by(&c).await, Value::Null);
    // Released once only.
    w.sim.advance(Duration::from_secs(60));
    assert_eq!(
        alarm_link::release_suppressed(&w.alarms, &sns, &w.events, w.sim.now_millis()),
        0
    );
}

#[tokio::test]
async fn suppressor_alarm_and_extension_period() {
    let Setup { w, sns, c, topic } = setup();
    composite_setup(&c, &topic).await;
    let release = || alarm_link::release_suppressed(&w.alarms, &sns, &w.events, w.sim.now_millis());
    // Maintenance starts, then the child alarms: suppressed by the suppressor's ALARM.
    set_state(&c, "maintenance", "ALARM").await;
    w.sim.advance(Duration::from_secs(10));
    set_state(&c, "child", "ALARM").await;
    assert_eq!(suppressed_by(&c).await, "Alarm");
    w.sim.advance(Duration::from_secs(900));
    assert_eq!(release(), 0);
    // Maintenance ends: 180 s more of suppression, then the actions run.
    set_state(&c, "maintenance", "OK").await;
    w.sim.advance(Duration::from_secs(10));
    assert_eq!(release(), 0);
    assert_eq!(suppressed_by(&c).await, "ExtensionPeriod");
    w.sim.advance(Duration::from_secs(170));
    assert_eq!(release(), 1);
    assert_eq!(actions(&c, "service", "CompositeAlarm").await.len(), 1);

    // The composite recovers while suppressed: the held-back OK actions are dropped once it
    // changes state again.
    set_state(&c, "maintenance", "ALARM").await;
    set_state(&c, "child", "OK").await;
    assert_eq!(suppressed_by(&c).await, "Alarm");
    set_state(&c, "child", "ALARM").await;
    set_state(&c, "maintenance", "OK").await;
    w.sim.advance(Duration::from_secs(3600));
    assert_eq!(release(), 1);
    let items = actions(&c, "service", "CompositeAlarm").await;
    // Only ALARM has actions here: one more run, for the latest ALARM.
    assert_eq!(items.len(), 2);
}
