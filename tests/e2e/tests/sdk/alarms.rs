//! CloudWatch alarms through aws-sdk-cloudwatch (CBOR): create, describe, set state, history,
//! composite rules and their validation errors, delete.

use aws_sdk_cloudwatch::types::{
    AlarmType, ComparisonOperator, Dimension, HistoryItemType, StateValue, Statistic,
};
use openwatch_e2e::{TestServer, expect_err, ok, service_error};

#[tokio::test]
async fn alarms_are_created_described_set_and_deleted() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;

    ok(
        cw.put_metric_alarm()
            .alarm_name("high-latency")
            .namespace("E2E/App")
            .metric_name("Latency")
            .dimensions(Dimension::builder().name("Host").value("a").build())
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(3)
            .datapoints_to_alarm(2)
            .threshold(100.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await,
        "PutMetricAlarm",
    );
    let described = ok(
        cw.describe_alarms()
            .alarm_names("high-latency")
            .send()
            .await,
        "DescribeAlarms",
    );
    let alarm = &described.metric_alarms()[0];
    assert_eq!(alarm.state_value(), Some(&StateValue::InsufficientData));
    assert_eq!(alarm.evaluation_periods(), Some(3));
    assert_eq!(alarm.datapoints_to_alarm(), Some(2));
    let arn = alarm.alarm_arn().unwrap_or_default();
    assert!(
        arn.starts_with("arn:aws:cloudwatch:us-east-1:") && arn.ends_with(":alarm:high-latency"),
        "{arn}"
    );

    // SetAlarmState holds until the next evaluation and is recorded in the history.
    ok(
        cw.set_alarm_state()
            .alarm_name("high-latency")
            .state_value(StateValue::Alarm)
            .state_reason("testing")
            .send()
            .await,
        "SetAlarmState",
    );
    let in_alarm = ok(
        cw.describe_alarms()
            .state_value(StateValue::Alarm)
            .send()
            .await,
        "DescribeAlarms by state",
    );
    assert_eq!(in_alarm.metric_alarms().len(), 1);
    assert_eq!(in_alarm.metric_alarms()[0].state_reason(), Some("testing"));
    let history = ok(
        cw.describe_alarm_history()
            .alarm_name("high-latency")
            .history_item_type(HistoryItemType::StateUpdate)
            .send()
            .await,
        "DescribeAlarmHistory",
    );
    assert!(!history.alarm_history_items().is_empty(), "{history:?}");

    // A composite alarm over it; a rule naming itself is a cycle.
    ok(
        cw.put_composite_alarm()
            .alarm_name("service-down")
            .alarm_rule("ALARM(\"high-latency\")")
            .send()
            .await,
        "PutCompositeAlarm",
    );
    let children = ok(
        cw.describe_alarms()
            .children_of_alarm_name("service-down")
            .alarm_types(AlarmType::MetricAlarm)
            .send()
            .await,
        "DescribeAlarms ChildrenOfAlarmName",
    );
    assert_eq!(
        children.metric_alarms()[0].alarm_name(),
        Some("high-latency")
    );
    let err = expect_err(
        cw.put_composite_alarm()
            .alarm_name("loop")
            .alarm_rule("ALARM(loop)")
            .send()
            .await,
        "PutCompositeAlarm with a cycle",
    );
    let info = service_error(&err, "PutCompositeAlarm");
    assert_eq!(info.status, 400, "{info:?}");

    // Invalid input is refused with the awsQuery code and stores nothing.
    let err = expect_err(
        cw.put_metric_alarm()
            .alarm_name("bad")
            .namespace("E2E/App")
            .metric_name("Latency")
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(2)
            .datapoints_to_alarm(3)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await,
        "PutMetricAlarm with DatapointsToAlarm > EvaluationPeriods",
    );
    assert_eq!(
        service_error(&err, "PutMetricAlarm").code,
        "ValidationError"
    );
    let none = ok(
        cw.describe_alarms().alarm_names("bad").send().await,
        "DescribeAlarms bad",
    );
    assert!(none.metric_alarms().is_empty());

    ok(
        cw.delete_alarms().alarm_names("service-down").send().await,
        "DeleteAlarms composite",
    );
    ok(
        cw.delete_alarms().alarm_names("high-latency").send().await,
        "DeleteAlarms",
    );
    let left = ok(cw.describe_alarms().send().await, "DescribeAlarms all");
    assert!(left.metric_alarms().is_empty() && left.composite_alarms().is_empty());
    server.shutdown().await;
}
