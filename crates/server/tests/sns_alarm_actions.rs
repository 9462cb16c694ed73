//! Alarm actions end to end in process: an alarm whose AlarmActions name an SNS topic goes to
//! ALARM in the server's evaluation job, the alarm notification is published to the topic and
//! delivered to a confirmed `http` subscription, and an `Action` history item is recorded.
//! The timeline test runs on the simulated clock through the SNS API: subscribe, confirm by the
//! unsigned SubscribeURL, data arrives, ALARM, a signed notification the receiver verifies with
//! the certificate fetched from SigningCertURL, data recovers, a retried OK notification.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use openwatch_server::alarm_evaluation;
use openwatch_sns::Sns;
use openwatch_sns::testing::Receiver;
use openwatch_sns::testing::verify_message;
use openwatch_storage::Clock;
use openwatch_wire::Service;
use openwatch_wire::testing::TEST_ACCOUNT;
use serde_json::{Value, json};

mod common;

use common::{NOW_S, World, history_summaries, ok, put_datum};

#[tokio::test]
async fn alarm_transition_notifies_the_topic_subscribers() {
    let w = World::open();
    let sns = w.sns(openwatch_sns::testing::options("http://localhost:4599"));
    let c = w.client(w.alarm_registry());
    let World {
        sim,
        metrics,
        events,
        alarms,
        ..
    } = w;

    // A topic with a confirmed http subscription.
    let rx = Receiver::start().unwrap();
    let topic = common::topic(&sns, "ops");
    let sub = sns
        .subscribe(TEST_ACCOUNT, "us-east-1", &topic, "http", &rx.url)
        .unwrap();
    sns.confirm_subscription(TEST_ACCOUNT, "us-east-1", &topic, &sub.token)
        .unwrap();

    let cw = Service::CloudWatch;
    for (name, enabled) in [("cpu-high", true), ("cpu-high-muted", false)] {
        ok(
            &c,
            cw,
            "PutMetricAlarm",
            json!({"AlarmName": name, "Namespace": "App", "MetricName": "Cpu",
                   "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
                   "ComparisonOperator": "GreaterThanThreshold", "ActionsEnabled": enabled,
                   "AlarmDescription": "too busy", "AlarmActions": [topic]}),
        )
        .await;
    }
    put_datum(&c, "App", "Cpu", 10, NOW_S + 5).await;
    sim.advance(Duration::from_secs(70));
    let changed = alarm_evaluation::run_with_actions(
        &alarms,
        &metrics,
        &events,
        Some(&sns),
        sim.now_millis(),
    );
    assert_eq!(changed, 2);

    // Only the alarm with actions enabled published; the confirmation went out before.
    let sns2 = Arc::clone(&sns);
    let report = tokio::task::spawn_blocking(move || sns2.run_deliveries().unwrap())
        .await
        .unwrap();
    assert_eq!(report.delivered, 2, "{report:?}");
    let got = rx.received.lock().clone();
    assert_eq!(got.len(), 2);
    let n = &got[1];
    assert_eq!(n.headers["x-amz-sns-message-type"], "Notification");
    let body: Value = serde_json::from_str(&n.body).unwrap();
    assert_eq!(
        body["Subject"],
        "ALARM: \"cpu-high\" in US East (N. Virginia)"
    );
    assert_eq!(body["TopicArn"], topic.as_str());
    let m: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
    assert_eq!(m["AlarmName"], "cpu-high");
    assert_eq!(m["AlarmDescription"], "too busy");
    assert_eq!(m["AWSAccountId"], TEST_ACCOUNT);
    assert_eq!(m["NewStateValue"], "ALARM");
    assert_eq!(m["OldStateValue"], "INSUFFICIENT_DATA");
    assert_eq!(m["Region"], "US East (N. Virginia)");
    assert_eq!(
        m["AlarmArn"],
        format!("arn:aws:cloudwatch:us-east-1:{TEST_ACCOUNT}:alarm:cpu-high")
    );
    assert!(m["StateChangeTime"].as_str().unwrap().ends_with("+0000"));
    assert_eq!(m["Trigger"]["MetricName"], "Cpu");
    assert_eq!(m["Trigger"]["Statistic"], "SUM");
    assert_eq!(m["Trigger"]["Threshold"], 5.0);

    let items = history_summaries(&c, "cpu-high", "Action").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0].starts_with("Successfully executed action"),
        "{items:?}"
    );
    let items = history_summaries(&c, "cpu-high-muted", "Action").await;
    assert!(items.is_empty(), "{items:?}");

    // An action kind this server has no target for is recorded as a failed action.
    ok(
        &c,
        cw,
        "PutMetricAlarm",
        json!({"AlarmName": "scale", "Namespace": "App", "MetricName": "Cpu",
               "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
               "ComparisonOperator": "GreaterThanThreshold",
               "AlarmActions": [format!("arn:aws:autoscaling:us-east-1:{TEST_ACCOUNT}:scalingPolicy:x")]}),
    )
    .await;
    ok(
        &c,
        cw,
        "SetAlarmState",
        json!({"AlarmName": "scale", "StateValue": "OK", "StateReason": "test"}),
    )
    .await;

    // No transition, no action.
    sim.advance(Duration::from_secs(60));
    put_datum(&c, "App", "Cpu", 10, NOW_S + 65).await;
    alarm_evaluation::run_with_actions(&alarms, &metrics, &events, Some(&sns), sim.now_millis());
    assert_eq!(sns.pending_deliveries(), 0);
    let items = history_summaries(&c, "scale", "Action").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        items[0].starts_with("Failed to execute action"),
        "{items:?}"
    );
}

async fn deliver(sns: &Arc<Sns>) -> openwatch_sns::DeliveryReport {
    let sns = Arc::clone(sns);
    tokio::task::spawn_blocking(move || sns.run_deliveries().unwrap())
        .await
        .unwrap()
}

/// The text of the first `<tag>` element.
fn element(text: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {text}"))
        + open.len();
    let end = text[start..].find(&format!("</{tag}>")).unwrap() + start;
    text[start..end].to_owned()
}

#[tokio::test]
async fn timeline_alarm_and_recovery_reach_a_verifying_receiver() {
    let w = World::open();
    let sns = w.sns(openwatch_sns::testing::options("http://localhost:4599"));
    let mut registry = w.alarm_registry();
    openwatch_services::sns::register(&mut registry, Arc::clone(&sns));
    let c = w.client(registry);
    let World {
        sim,
        metrics,
        events,
        alarms,
        ..
    } = w;
    let local = |url: &str| {
        url.strip_prefix("http://localhost:4599")
            .unwrap()
            .to_owned()
    };

    // Subscribe through the API; confirm with the SubscribeURL, unsigned, as a receiver does.
    let rx = Receiver::start().unwrap();
    let sns_svc = Service::Sns;
    let topic = element(
        &c.query(
            sns_svc,
            "CreateTopic",
            &[
                ("Name", "ops"),
                ("Attributes.entry.1.key", "SignatureVersion"),
                ("Attributes.entry.1.value", "2"),
            ],
        )
        .await
        .text(),
        "TopicArn",
    );
    let sub = c
        .query(
            sns_svc,
            "Subscribe",
            &[
                ("TopicArn", &topic),
                ("Protocol", "http"),
                ("Endpoint", &rx.url),
            ],
        )
        .await;
    assert_eq!(
        element(&sub.text(), "SubscriptionArn"),
        "pending confirmation"
    );
    assert_eq!(deliver(&sns).await.delivered, 1);
    let confirmation = rx.bodies().pop().unwrap();
    let pem = c
        .unsigned_get(&local(confirmation["SigningCertURL"].as_str().unwrap()))
        .await;
    assert_eq!(pem.status, 200);
    let pem = pem.text();
    verify_message(&confirmation, &pem).unwrap();
    let confirmed = c
        .unsigned_get(&local(confirmation["SubscribeURL"].as_str().unwrap()))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());

    let cw = Service::CloudWatch;
    ok(
        &c,
        cw,
        "PutMetricAlarm",
        json!({"AlarmName": "latency", "Namespace": "App", "MetricName": "Latency",
               "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
               "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
               "AlarmActions": [topic], "OKActions": [topic]}),
    )
    .await;

    // Data arrives above the threshold: ALARM, and a signed notification.
    put_datum(&c, "App", "Latency", 9, NOW_S + 5).await;
    sim.advance(Duration::from_secs(70));
    alarm_evaluation::run_with_actions(&alarms, &metrics, &events, Some(&sns), sim.now_millis());
    assert_eq!(deliver(&sns).await.delivered, 1);
    let alarm = rx.received.lock().last().cloned().unwrap();
    assert_eq!(alarm.headers["x-amz-sns-message-type"], "Notification");
    let body: Value = serde_json::from_str(&alarm.body).unwrap();
    assert_eq!(body["SignatureVersion"], "2");
    verify_message(&body, &pem).unwrap();
    assert_eq!(
        body["Subject"],
        "ALARM: \"latency\" in US East (N. Virginia)"
    );
    let m: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
    assert_eq!(m["NewStateValue"], "ALARM");
    assert_eq!(m["OldStateValue"], "INSUFFICIENT_DATA");
    assert_eq!(m["Trigger"]["Statistic"], "MAXIMUM");
    assert_eq!(m["Trigger"]["TreatMissingData"], "notBreaching");

    // Data recovers: OK. The receiver fails once; the retry comes 20 s later (default policy).
    put_datum(&c, "App", "Latency", 1, NOW_S + 65).await;
    sim.advance(Duration::from_secs(60));
    rx.statuses.lock().push_back(503);
    alarm_evaluation::run_with_actions(&alarms, &metrics, &events, Some(&sns), sim.now_millis());
    assert_eq!(deliver(&sns).await.retried, 1);
    sim.advance(Duration::from_secs(19));
    assert_eq!(deliver(&sns).await.delivered, 0, "not due yet");
    sim.advance(Duration::from_secs(1));
    assert_eq!(deliver(&sns).await.delivered, 1);
    let ok_note = rx.received.lock().last().cloned().unwrap();
    let body: Value = serde_json::from_str(&ok_note.body).unwrap();
    verify_message(&body, &pem).unwrap();
    assert_eq!(body["Subject"], "OK: \"latency\" in US East (N. Virginia)");
    let m: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
    assert_eq!(m["NewStateValue"], "OK");
    assert_eq!(m["OldStateValue"], "ALARM");
    assert_eq!(sns.pending_deliveries(), 0);
}
