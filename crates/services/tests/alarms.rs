//! CloudWatch metric alarms through the real pipeline: PutMetricAlarm, DescribeAlarms,
//! DescribeAlarmsForMetric, DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions and
//! DescribeAlarmHistory, with their validation errors (JSON and query protocols).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use openwatch_events::Events;
use openwatch_wire::Service;
use openwatch_wire::testing::{TEST_ACCOUNT, TestClient};
use serde_json::{Value, json};

mod cloudwatch_support;
use cloudwatch_support::NOW;

struct World {
    c: TestClient,
    events: Arc<Events>,
    _dir: tempfile::TempDir,
}

/// The alarm operations and EventBridge's, sharing one bus.
fn world() -> World {
    let (mut registry, events, dir) = cloudwatch_support::alarms_registry();
    openwatch_services::events::register(&mut registry, Arc::clone(&events));
    World {
        c: TestClient::new(registry, Arc::new(|| NOW)),
        events,
        _dir: dir,
    }
}

impl World {
    async fn ok(&self, op: &str, body: Value) -> Value {
        cloudwatch_support::ok(&self.c, op, body).await
    }

    async fn err(&self, op: &str, body: Value) -> (u16, Value) {
        cloudwatch_support::err(&self.c, op, body).await
    }

    /// Asserts that `op` fails with the error code (`__type`) `code`.
    async fn refuses(&self, op: &str, body: Value, code: &str) {
        let (_, e) = self.err(op, body).await;
        assert_eq!(e["__type"], code, "{op}");
    }
}

fn alarm(name: &str) -> Value {
    json!({"AlarmName": name, "Namespace": "App", "MetricName": "Errors",
           "Dimensions": [{"Name": "Host", "Value": "a"}], "Statistic": "Sum",
           "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 2, "Threshold": 5.0,
           "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
           "AlarmDescription": "too many errors",
           "AlarmActions": ["arn:aws:sns:us-east-1:111122223333:ops"],
           "Tags": [{"Key": "team", "Value": "core"}]})
}

#[tokio::test]
async fn put_describe_and_delete() {
    let w = world();
    w.ok("PutMetricAlarm", alarm("errors-high")).await;
    w.ok("PutMetricAlarm", alarm("errors-low")).await;
    let mut other = alarm("latency");
    other["MetricName"] = json!("Latency");
    other["ExtendedStatistic"] = json!("p99");
    other["Statistic"] = Value::Null;
    other["AlarmActions"] = json!([]);
    w.ok("PutMetricAlarm", other).await;

    let all = w.ok("DescribeAlarms", json!({})).await;
    let alarms = all["MetricAlarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 3);
    assert_eq!(all["CompositeAlarms"], json!([]));
    let a = &alarms[0];
    assert_eq!(a["AlarmName"], "errors-high");
    assert_eq!(
        a["AlarmArn"],
        format!("arn:aws:cloudwatch:us-east-1:{TEST_ACCOUNT}:alarm:errors-high")
    );
    assert_eq!(a["StateValue"], "INSUFFICIENT_DATA");
    assert_eq!(a["StateReason"], "Unchecked: Initial alarm creation");
    assert_eq!(a["Statistic"], "Sum");
    assert_eq!(a["Period"], 60);
    assert_eq!(a["EvaluationPeriods"], 3);
    assert_eq!(a["DatapointsToAlarm"], 2);
    assert_eq!(a["Threshold"], 5.0);
    assert_eq!(a["TreatMissingData"], "notBreaching");
    assert_eq!(a["ActionsEnabled"], true);
    assert_eq!(
        a["AlarmActions"][0],
        "arn:aws:sns:us-east-1:111122223333:ops"
    );
    assert_eq!(a["OKActions"], json!([]));
    assert_eq!(a["Dimensions"], json!([{"Name": "Host", "Value": "a"}]));
    assert_eq!(a["AlarmDescription"], "too many errors");
    assert_eq!(a["StateUpdatedTimestamp"], json!(NOW / 1000));

    let prefix = w
        .ok("DescribeAlarms", json!({"AlarmNamePrefix": "errors-"}))
        .await;
    assert_eq!(prefix["MetricAlarms"].as_array().unwrap().len(), 2);
    let action = w
        .ok("DescribeAlarms", json!({"ActionPrefix": "arn:aws:sns:"}))
        .await;
    assert_eq!(action["MetricAlarms"].as_array().unwrap().len(), 2);
    let state = w.ok("DescribeAlarms", json!({"StateValue": "OK"})).await;
    assert_eq!(state["MetricAlarms"], json!([]));
    let composite = w
        .ok("DescribeAlarms", json!({"AlarmTypes": ["CompositeAlarm"]}))
        .await;
    assert_eq!(composite["MetricAlarms"], json!([]));
    let names = w
        .ok(
            "DescribeAlarms",
            json!({"AlarmNames": ["latency", "missing"]}),
        )
        .await;
    assert_eq!(names["MetricAlarms"][0]["ExtendedStatistic"], "p99");

    // Pagination.
    let page1 = w.ok("DescribeAlarms", json!({"MaxRecords": 2})).await;
    assert_eq!(page1["MetricAlarms"].as_array().unwrap().len(), 2);
    let token = page1["NextToken"].as_str().unwrap().to_owned();
    let page2 = w
        .ok(
            "DescribeAlarms",
            json!({"MaxRecords": 2, "NextToken": token}),
        )
        .await;
    assert_eq!(page2["MetricAlarms"].as_array().unwrap().len(), 1);
    assert!(page2.get("NextToken").is_none());
    w.refuses(
        "DescribeAlarms",
        json!({"NextToken": "zzz"}),
        "InvalidNextToken",
    )
    .await;

    let for_metric = w
        .ok(
            "DescribeAlarmsForMetric",
            json!({"Namespace": "App", "MetricName": "Errors",
                   "Dimensions": [{"Name": "Host", "Value": "a"}], "Statistic": "Sum"}),
        )
        .await;
    assert_eq!(for_metric["MetricAlarms"].as_array().unwrap().len(), 2);
    let none = w
        .ok(
            "DescribeAlarmsForMetric",
            json!({"Namespace": "App", "MetricName": "Errors", "Period": 300}),
        )
        .await;
    assert_eq!(none["MetricAlarms"], json!([]));

    let (status, e) = w
        .err(
            "DeleteAlarms",
            json!({"AlarmNames": ["errors-low", "nope"]}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(e["__type"], "ResourceNotFound");
    w.ok("DeleteAlarms", json!({"AlarmNames": ["errors-low"]}))
        .await;
    let all = w.ok("DescribeAlarms", json!({})).await;
    assert_eq!(all["MetricAlarms"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn validation_errors() {
    let w = world();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"Period": 45}),
            "InvalidParameterValueException",
            "Period must be 10, 20, 30 or a multiple of 60 seconds.",
        ),
        (
            json!({"DatapointsToAlarm": 4}),
            "ValidationError",
            "DatapointsToAlarm must be less than or equal to EvaluationPeriods",
        ),
        (
            json!({"ExtendedStatistic": "p99"}),
            "InvalidParameterCombinationException",
            "Exactly one of Statistic or ExtendedStatistic must be specified.",
        ),
        (
            json!({"Threshold": null}),
            "MissingRequiredParameterException",
            "The parameter Threshold is required.",
        ),
        (
            json!({"TreatMissingData": "sometimes"}),
            "InvalidParameterValueException",
            "The value sometimes is not valid for TreatMissingData. Valid values are: breaching, notBreaching, ignore, missing.",
        ),
        (
            json!({"Unit": "Parsecs"}),
            "InvalidParameterValueException",
            "",
        ),
        (
            json!({"Period": 3600, "EvaluationPeriods": 169, "DatapointsToAlarm": 1}),
            "InvalidParameterValueException",
            "The product of EvaluationPeriods and Period must not exceed 604800 seconds (7 days).",
        ),
    ];
    for (patch, code, message) in cases {
        let mut body = alarm("bad");
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        let (status, e) = w.err("PutMetricAlarm", body).await;
        assert_eq!(status, 400);
        assert_eq!(e["__type"], code, "{e}");
        if !message.is_empty() {
            assert_eq!(e["message"], message, "{e}");
        }
    }
    let all = w.ok("DescribeAlarms", json!({})).await;
    assert_eq!(all["MetricAlarms"], json!([]));
    // 20-second (high-resolution) periods are accepted.
    let mut hr = alarm("high-res");
    hr["Period"] = json!(20);
    w.ok("PutMetricAlarm", hr).await;

    // The query protocol carries CloudWatch's awsQuery code.
    let r =
        w.c.query(
            Service::CloudWatch,
            "PutMetricAlarm",
            &[
                ("AlarmName", "q"),
                ("Namespace", "App"),
                ("MetricName", "Errors"),
                ("Statistic", "Sum"),
                ("Period", "61"),
                ("EvaluationPeriods", "1"),
                ("Threshold", "1"),
                ("ComparisonOperator", "GreaterThanThreshold"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>InvalidParameterValue</Code>"),
        "{}",
        r.text()
    );

    for bad in [json!({"MaxRecords": 101}), json!({"StateValue": "BAD"})] {
        w.refuses("DescribeAlarms", bad, "InvalidParameterValueException")
            .await;
    }
}

#[tokio::test]
async fn set_state_actions_and_history() {
    let w = world();
    w.ok("PutMetricAlarm", alarm("errors-high")).await;
    // Observe state-change events on the default bus through a rule targeting another bus.
    let audit = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/audit");
    let ev = Service::Events;
    let r =
        w.c.json(ev, "CreateEventBus", json!({"Name": "audit"}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r =
        w.c.json(
            ev,
            "PutRule",
            json!({"Name": "alarms", "EventPattern": r#"{"source":["aws.cloudwatch"]}"#}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r =
        w.c.json(
            ev,
            "PutTargets",
            json!({"Rule": "alarms", "Targets": [{"Id": "a", "Arn": audit}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    w.ok(
        "SetAlarmState",
        json!({"AlarmName": "errors-high", "StateValue": "ALARM",
               "StateReason": "manual test", "StateReasonData": "{\"k\":1}"}),
    )
    .await;
    let a = w
        .ok("DescribeAlarms", json!({"AlarmNames": ["errors-high"]}))
        .await;
    let a = &a["MetricAlarms"][0];
    assert_eq!(a["StateValue"], "ALARM");
    assert_eq!(a["StateReason"], "manual test");
    assert_eq!(a["StateReasonData"], "{\"k\":1}");

    let pending = w.events.pending_deliveries();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let event: Value = serde_json::from_str(&pending[0].payload).unwrap();
    assert_eq!(event["source"], "aws.cloudwatch");
    assert_eq!(event["detail-type"], "CloudWatch Alarm State Change");
    assert_eq!(event["detail"]["alarmName"], "errors-high");
    assert_eq!(event["detail"]["state"]["value"], "ALARM");
    assert_eq!(
        event["detail"]["previousState"]["value"],
        "INSUFFICIENT_DATA"
    );

    let (status, e) = w
        .err(
            "SetAlarmState",
            json!({"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"}),
        )
        .await;
    assert_eq!(
        (status, e["__type"].as_str()),
        (404, Some("ResourceNotFound"))
    );
    let refused = [
        (
            json!({"AlarmName": "errors-high", "StateValue": "OK", "StateReason": "x",
                   "StateReasonData": "not json"}),
            "InvalidFormatFault",
        ),
        (
            json!({"AlarmName": "errors-high", "StateValue": "MAYBE", "StateReason": "x"}),
            "InvalidParameterValueException",
        ),
    ];
    for (body, code) in refused {
        w.refuses("SetAlarmState", body, code).await;
    }

    w.ok(
        "DisableAlarmActions",
        json!({"AlarmNames": ["errors-high", "unknown"]}),
    )
    .await;
    let a = w.ok("DescribeAlarms", json!({})).await;
    assert_eq!(a["MetricAlarms"][0]["ActionsEnabled"], false);
    w.ok("EnableAlarmActions", json!({"AlarmNames": ["errors-high"]}))
        .await;
    let a = w.ok("DescribeAlarms", json!({})).await;
    assert_eq!(a["MetricAlarms"][0]["ActionsEnabled"], true);

    let h = w
        .ok("DescribeAlarmHistory", json!({"AlarmName": "errors-high"}))
        .await;
    let items = h["AlarmHistoryItems"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{h}");
    assert_eq!(items[0]["HistoryItemType"], "StateUpdate");
    assert_eq!(
        items[0]["HistorySummary"],
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    );
    assert_eq!(items[0]["AlarmType"], "MetricAlarm");
    assert_eq!(items[1]["HistoryItemType"], "ConfigurationUpdate");
    let data: Value = serde_json::from_str(items[1]["HistoryData"].as_str().unwrap()).unwrap();
    assert_eq!(data["type"], "Create");

    let asc = w
        .ok(
            "DescribeAlarmHistory",
            json!({"ScanBy": "TimestampAscending", "MaxRecords": 1}),
        )
        .await;
    assert_eq!(
        asc["AlarmHistoryItems"][0]["HistoryItemType"],
        "ConfigurationUpdate"
    );
    assert!(asc["NextToken"].is_string());
    let only = w
        .ok(
            "DescribeAlarmHistory",
            json!({"HistoryItemType": "ConfigurationUpdate"}),
        )
        .await;
    assert_eq!(only["AlarmHistoryItems"].as_array().unwrap().len(), 1);
    let window = w
        .ok(
            "DescribeAlarmHistory",
            json!({"StartDate": NOW / 1000 + 60, "EndDate": NOW / 1000 + 120}),
        )
        .await;
    assert_eq!(window["AlarmHistoryItems"], json!([]));
    w.refuses(
        "DescribeAlarmHistory",
        json!({"HistoryItemType": "Nope"}),
        "InvalidParameterValueException",
    )
    .await;
}

#[tokio::test]
async fn composite_alarms() {
    let w = world();
    w.ok("PutMetricAlarm", alarm("cpu")).await;
    w.ok("PutMetricAlarm", alarm("mem")).await;
    w.ok(
        "PutCompositeAlarm",
        json!({"AlarmName": "svc", "AlarmRule": "ALARM(cpu) OR ALARM(\"mem\")",
               "AlarmDescription": "service health",
               "ActionsSuppressor": "mem", "ActionsSuppressorWaitPeriod": 60,
               "ActionsSuppressorExtensionPeriod": 120}),
    )
    .await;

    let d = w.ok("DescribeAlarms", json!({})).await;
    assert_eq!(d["MetricAlarms"].as_array().unwrap().len(), 2);
    assert_eq!(d["CompositeAlarms"], json!([]));
    let d = w
        .ok("DescribeAlarms", json!({"AlarmTypes": ["CompositeAlarm"]}))
        .await;
    assert_eq!(d["MetricAlarms"], json!([]));
    let c = &d["CompositeAlarms"][0];
    assert_eq!(c["AlarmName"], "svc");
    assert_eq!(c["AlarmRule"], "ALARM(cpu) OR ALARM(\"mem\")");
    assert_eq!(c["StateValue"], "OK");
    assert_eq!(c["ActionsSuppressor"], "mem");
    assert_eq!(c["ActionsSuppressorWaitPeriod"], 60);

    let both = w
        .ok(
            "DescribeAlarms",
            json!({"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "MaxRecords": 2}),
        )
        .await;
    assert_eq!(both["MetricAlarms"].as_array().unwrap().len(), 2);
    assert_eq!(both["CompositeAlarms"], json!([]));
    let rest = w
        .ok(
            "DescribeAlarms",
            json!({"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "MaxRecords": 2,
                   "NextToken": both["NextToken"]}),
        )
        .await;
    assert_eq!(rest["MetricAlarms"], json!([]));
    assert_eq!(rest["CompositeAlarms"][0]["AlarmName"], "svc");

    let children = w
        .ok("DescribeAlarms", json!({"ChildrenOfAlarmName": "svc"}))
        .await;
    let names: Vec<&str> = children["MetricAlarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["AlarmName"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["cpu", "mem"]);
    let parents = w
        .ok("DescribeAlarms", json!({"ParentsOfAlarmName": "mem"}))
        .await;
    assert_eq!(parents["CompositeAlarms"][0]["AlarmName"], "svc");
    assert_eq!(parents["MetricAlarms"], json!([]));
    let refused = [
        (
            "DescribeAlarms",
            json!({"ParentsOfAlarmName": "mem", "StateValue": "OK"}),
            "InvalidParameterCombinationException",
        ),
        (
            "PutCompositeAlarm",
            json!({"AlarmName": "broken", "AlarmRule": "ALARM(cpu) AND"}),
            "ValidationError",
        ),
        (
            "PutCompositeAlarm",
            json!({"AlarmName": "s2", "AlarmRule": "TRUE", "ActionsSuppressor": "cpu"}),
            "MissingRequiredParameterException",
        ),
    ];
    for (op, body, code) in refused {
        w.refuses(op, body, code).await;
    }

    // A child's change re-evaluates the composite; both changes reach the default bus.
    let audit = format!("arn:aws:events:us-east-1:{TEST_ACCOUNT}:event-bus/audit");
    let ev = Service::Events;
    assert_eq!(
        w.c.json(ev, "CreateEventBus", json!({"Name": "audit"}))
            .await
            .status,
        200
    );
    assert_eq!(
        w.c.json(
            ev,
            "PutRule",
            json!({"Name": "alarms", "EventPattern": r#"{"source":["aws.cloudwatch"]}"#}),
        )
        .await
        .status,
        200
    );
    assert_eq!(
        w.c.json(
            ev,
            "PutTargets",
            json!({"Rule": "alarms", "Targets": [{"Id": "a", "Arn": audit}]}),
        )
        .await
        .status,
        200
    );
    w.ok(
        "SetAlarmState",
        json!({"AlarmName": "mem", "StateValue": "ALARM", "StateReason": "test"}),
    )
    .await;
    let pending = w.events.pending_deliveries();
    assert_eq!(pending.len(), 2, "{pending:?}");
    let last: Value = serde_json::from_str(&pending[1].payload).unwrap();
    assert_eq!(last["detail"]["alarmName"], "svc");
    assert_eq!(last["detail"]["state"]["value"], "ALARM");
    assert_eq!(
        last["detail"]["configuration"]["alarmRule"],
        "ALARM(cpu) OR ALARM(\"mem\")"
    );

    let h = w
        .ok(
            "DescribeAlarmHistory",
            json!({"AlarmTypes": ["CompositeAlarm"], "HistoryItemType": "StateUpdate"}),
        )
        .await;
    let items = h["AlarmHistoryItems"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{h}");
    assert_eq!(items[0]["HistorySummary"], "Alarm updated from OK to ALARM");
    assert_eq!(items[0]["AlarmType"], "CompositeAlarm");
    let metric_only = w.ok("DescribeAlarmHistory", json!({})).await;
    assert!(
        metric_only["AlarmHistoryItems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["AlarmType"] == "MetricAlarm")
    );

    w.ok("DeleteAlarms", json!({"AlarmNames": ["svc"]})).await;
    let d = w
        .ok("DescribeAlarms", json!({"AlarmTypes": ["CompositeAlarm"]}))
        .await;
    assert_eq!(d["CompositeAlarms"], json!([]));
}

#[tokio::test]
async fn query_protocol_describe_alarms() {
    let w = world();
    let r =
        w.c.query(
            Service::CloudWatch,
            "PutMetricAlarm",
            &[
                ("AlarmName", "q"),
                ("Namespace", "App"),
                ("MetricName", "Errors"),
                ("Statistic", "Sum"),
                ("Period", "60"),
                ("EvaluationPeriods", "2"),
                ("Threshold", "1.5"),
                ("ComparisonOperator", "GreaterThanThreshold"),
                ("Dimensions.member.1.Name", "Host"),
                ("Dimensions.member.1.Value", "a"),
                (
                    "AlarmActions.member.1",
                    "arn:aws:sns:us-east-1:111122223333:ops",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r =
        w.c.query(
            Service::CloudWatch,
            "DescribeAlarms",
            &[("AlarmNames.member.1", "q")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let xml = r.text();
    for needle in [
        "<DescribeAlarmsResponse",
        "<MetricAlarms><member>",
        "<AlarmName>q</AlarmName>",
        "<Threshold>1.5</Threshold>",
        "<EvaluationPeriods>2</EvaluationPeriods>",
        "<Dimensions><member><Name>Host</Name><Value>a</Value></member></Dimensions>",
        "<AlarmActions><member>arn:aws:sns:us-east-1:111122223333:ops</member></AlarmActions>",
        "<StateValue>INSUFFICIENT_DATA</StateValue>",
    ] {
        assert!(xml.contains(needle), "{needle} not in {xml}");
    }
}

#[tokio::test]
async fn metric_math_validation() {
    let w = world();
    let stat = json!({"Id": "m", "MetricStat": {
        "Metric": {"Namespace": "App", "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}});
    let base = |metrics: Value| {
        json!({"AlarmName": "math", "EvaluationPeriods": 1, "Threshold": 1,
               "ComparisonOperator": "GreaterThanThreshold", "Metrics": metrics})
    };
    // Two queries return data.
    let (_, e) = w
        .err(
            "PutMetricAlarm",
            base(json!([stat, {"Id": "x", "Expression": "m * 2"}])),
        )
        .await;
    assert_eq!(
        e["message"],
        "Exactly one element of the metrics list should return data."
    );
    // Metrics with MetricName.
    let mut both = base(json!([stat]));
    both["MetricName"] = json!("Errors");
    w.refuses(
        "PutMetricAlarm",
        both,
        "InvalidParameterCombinationException",
    )
    .await;
    // Uppercase id.
    w.refuses(
        "PutMetricAlarm",
        base(json!([{"Id": "Bad", "Expression": "TIME_SERIES(1)", "Period": 60}])),
        "InvalidParameterValueException",
    )
    .await;
    w.ok(
        "PutMetricAlarm",
        base(
            json!([{"Id": "m", "ReturnData": false, "MetricStat": stat["MetricStat"]},
                    {"Id": "x", "Expression": "m * 2"}]),
        ),
    )
    .await;
    let d = w.ok("DescribeAlarms", json!({})).await;
    let a = &d["MetricAlarms"][0];
    assert_eq!(a["Metrics"][1]["Id"], "x");
    assert!(a.get("Period").is_none(), "{a}");
    assert!(a.get("Statistic").is_none(), "{a}");
}
