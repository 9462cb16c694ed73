//! A 10-second high-resolution alarm in real time, through the SDKs: data arrives, the alarm
//! goes to ALARM by itself, SNS notifies an HTTP subscriber (after the SubscriptionConfirmation
//! handshake), EventBridge routes the state change to a log group; the data recovers, OK, and
//! the OK action notifies too.

use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StandardUnit, StateValue, Statistic,
};
use openwatch_e2e::{TestServer, ok, raw_request, stand_in};
use tokio::sync::mpsc;

/// How long a transition may take: the period (10 s), the evaluation job's tick (10 s) and
/// slack for a loaded CI machine.
const TRANSITION: Duration = Duration::from_secs(60);

/// An HTTP endpoint that answers 200 to every request and hands the JSON bodies over.
async fn receiver() -> (String, mpsc::UnboundedReceiver<serde_json::Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let base = stand_in::start(move |req| {
        if let Ok(json) = serde_json::from_slice(&req.body) {
            let _ = tx.send(json);
        }
        http::StatusCode::OK
    })
    .await;
    (format!("{base}/hook"), rx)
}

/// The next message of `kind` (`Type`) the subscriber receives, skipping others.
async fn next_of(
    rx: &mut mpsc::UnboundedReceiver<serde_json::Value>,
    kind: &str,
    wait: Duration,
) -> serde_json::Value {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(left, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {kind} message within {wait:?}"))
            .expect("receiver open");
        if message["Type"] == kind {
            return message;
        }
    }
}

/// Puts one high-resolution sample of `value` every second until the alarm is in `state`.
async fn drive_until(cw: &aws_sdk_cloudwatch::Client, value: f64, state: StateValue) -> Duration {
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < TRANSITION,
            "the alarm did not reach {state:?} within {TRANSITION:?}"
        );
        ok(
            cw.put_metric_data()
                .namespace("E2E/RealTime")
                .metric_data(
                    MetricDatum::builder()
                        .metric_name("QueueDepth")
                        .dimensions(Dimension::builder().name("Queue").value("jobs").build())
                        .value(value)
                        .unit(StandardUnit::Count)
                        .storage_resolution(1)
                        .build(),
                )
                .send()
                .await,
            "PutMetricData",
        );
        let alarms = ok(
            cw.describe_alarms()
                .alarm_names("queue-backlog")
                .send()
                .await,
            "DescribeAlarms",
        );
        if alarms.metric_alarms()[0].state_value() == Some(&state) {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test]
async fn a_ten_second_alarm_fires_notifies_and_recovers_in_real_time() {
    let server = TestServer::start().await;
    let clients = server.root_clients();
    let (cw, sns, events, logs) = (
        &clients.cloudwatch,
        &clients.sns,
        &clients.events,
        &clients.logs,
    );

    // SNS topic with an HTTP subscriber, confirmed through the SubscribeURL it is sent.
    let (hook, mut inbox) = receiver().await;
    let topic = ok(sns.create_topic().name("ops").send().await, "CreateTopic")
        .topic_arn()
        .expect("topic arn")
        .to_owned();
    let subscribed = ok(
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("http")
            .endpoint(&hook)
            .send()
            .await,
        "Subscribe",
    );
    assert_eq!(subscribed.subscription_arn(), Some("pending confirmation"));
    let confirmation = next_of(
        &mut inbox,
        "SubscriptionConfirmation",
        Duration::from_secs(20),
    )
    .await;
    let subscribe_url = confirmation["SubscribeURL"].as_str().expect("SubscribeURL");
    let endpoint = server.endpoint();
    let path = subscribe_url
        .strip_prefix(endpoint.as_str())
        .expect("the SubscribeURL points at this server");
    let confirmed = raw_request(server.addr(), "GET", path, &[], b"")
        .await
        .expect("GET");
    assert_eq!(
        confirmed.status,
        200,
        "{}",
        String::from_utf8_lossy(&confirmed.body)
    );

    // EventBridge: alarm state changes on the default bus go to a log group.
    ok(
        logs.create_log_group()
            .log_group_name("/e2e/alarm-changes")
            .send()
            .await,
        "CreateLogGroup",
    );
    ok(
        events
            .put_rule()
            .name("alarm-changes")
            .event_pattern(
                r#"{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"]}"#,
            )
            .send()
            .await,
        "PutRule",
    );
    let group_arn = format!(
        "arn:aws:logs:us-east-1:{}:log-group:/e2e/alarm-changes",
        server.account()
    );
    ok(
        events
            .put_targets()
            .rule("alarm-changes")
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("log")
                    .arn(group_arn)
                    .build()
                    .expect("target"),
            )
            .send()
            .await,
        "PutTargets",
    );

    // The alarm: maximum over 10 s above 50, one period; both transitions notify.
    ok(
        cw.put_metric_alarm()
            .alarm_name("queue-backlog")
            .namespace("E2E/RealTime")
            .metric_name("QueueDepth")
            .dimensions(Dimension::builder().name("Queue").value("jobs").build())
            .statistic(Statistic::Maximum)
            .period(10)
            .evaluation_periods(1)
            .threshold(50.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .alarm_actions(&topic)
            .ok_actions(&topic)
            .send()
            .await,
        "PutMetricAlarm",
    );

    drive_until(cw, 120.0, StateValue::Alarm).await;
    let alarm = next_of(&mut inbox, "Notification", Duration::from_secs(30)).await;
    let body: serde_json::Value =
        serde_json::from_str(alarm["Message"].as_str().expect("Message")).expect("alarm JSON");
    assert_eq!(body["AlarmName"], "queue-backlog");
    assert_eq!(body["NewStateValue"], "ALARM");
    assert_eq!(body["Trigger"]["Period"], 10);
    assert_eq!(alarm["TopicArn"], topic.as_str());
    assert_eq!(alarm["SignatureVersion"], "1");

    drive_until(cw, 3.0, StateValue::Ok).await;
    let recovered = next_of(&mut inbox, "Notification", Duration::from_secs(30)).await;
    let body: serde_json::Value =
        serde_json::from_str(recovered["Message"].as_str().expect("Message")).expect("alarm JSON");
    assert_eq!(body["NewStateValue"], "OK");
    assert_eq!(body["OldStateValue"], "ALARM");

    // Both transitions are in the history and reached the log group through EventBridge.
    let history = ok(
        cw.describe_alarm_history()
            .alarm_name("queue-backlog")
            .history_item_type(aws_sdk_cloudwatch::types::HistoryItemType::StateUpdate)
            .send()
            .await,
        "DescribeAlarmHistory",
    );
    assert!(history.alarm_history_items().len() >= 2, "{history:?}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = ok(
            logs.filter_log_events()
                .log_group_name("/e2e/alarm-changes")
                .filter_pattern("\"CloudWatch Alarm State Change\"")
                .send()
                .await,
            "FilterLogEvents",
        );
        let states: Vec<String> = found
            .events()
            .iter()
            .filter_map(|e| e.message())
            .filter_map(|m| serde_json::from_str::<serde_json::Value>(m).ok())
            .map(|e| {
                e["detail"]["state"]["value"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        if states.contains(&"ALARM".to_owned()) && states.contains(&"OK".to_owned()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "state changes in the log group: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    server.shutdown().await;
}
